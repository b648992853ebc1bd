import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// Stream entries Sluice cannot read are dead-lettered as `undecodable` with their raw fields,
/// not skipped and reclaimed for ever, and the entries around them still flow.
@Suite struct UndecodableEntryTests {
    @Test func garbageOnEitherStreamEndsInTheDLQAndValidEventsAroundItAreDelivered() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: { prefix in WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook")) }) { harness in
                let keyspace = harness.store.keyspace
                let before = try await harness.post()
                _ = try await harness.redis.client.send(["XADD", RedisArgument(keyspace.ingress), "*", "id", "msg_junk", "whatever", "1"])
                _ = try await harness.redis.client.send(["XADD", RedisArgument(keyspace.deliveries), "*", "tenant", "acme", "garbage", "x"])
                let after = try await harness.post()

                let delivered = try await sink.waitForRequests(count: 2, path: "/hook")
                #expect(Set(delivered.compactMap { $0.header("webhook-id") }) == [before, after])
                let dead = try await harness.waitForDeadLetters(count: 2)
                #expect(dead.map(\.reason) == [.undecodable, .undecodable])
                #expect(dead.contains { $0.delivery.event.webhookID == "msg_junk" }, "the ingress entry's raw id is kept")
                #expect(dead.contains { $0.delivery.target.tenant == "acme" }, "the deliveries entry's raw tenant is kept")
                try await poll(until: {
                    let status = try await harness.store.status()
                    return status.ingressPending == 0 && status.deliveriesPending == 0 && status.ingressLength == 0 && status.deliveriesLength == 0
                }, "nothing stays pending to be reclaimed for ever")
                let metrics = harness.workerMetrics()
                #expect(MetricsText.value(of: #"sluice_undecodable_entries_total{stream="ingress"}"#, in: metrics) == 1)
                #expect(MetricsText.value(of: #"sluice_undecodable_entries_total{stream="deliveries"}"#, in: metrics) == 1)
            }
        }
    }

    /// Numbers at Int64's edges, which no Sluice writes, trapped the schedule's arithmetic (the
    /// worker died on the entry each time it was reclaimed): they are undecodable instead.
    @Test func timesAndAttemptsAtInt64sEdgesAreUndecodableNotACrash() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), "retry: {schedule: [1s, 1s]}")
            }) { harness in
                let keyspace = harness.store.keyspace
                let max = "9223372036854775807"
                let min = "-9223372036854775808"
                func delivery(_ changes: [String: String]) -> [RedisArgument] {
                    var fields = ["ingress_id": "1-0", "tenant": "acme", "endpoint": "main", "webhook_id": "msg_edge", "attempt": "1",
                                  "source": "gemini", "ts": "1", "received_at": "1", "body": "{}"]
                    fields.merge(changes) { $1 }
                    return ["XADD", RedisArgument(keyspace.deliveries), "*"] + fields.flatMap { [RedisArgument($0.key), RedisArgument($0.value)] }
                }
                for changes in [["attempt": max], ["received_at": max], ["received_at": "-1"], ["first_attempt_at": min], ["scheduled_at": max]] {
                    _ = try await harness.redis.client.send(delivery(changes))
                }
                _ = try await harness.redis.client.send([
                    "XADD", RedisArgument(keyspace.ingress), "*", "id", "msg_far", "source", "gemini", "channel", "", "type", "x", "ts", "1",
                    "received_at", RedisArgument(max), "body", "{}",
                ])
                let valid = try await harness.post()

                let dead = try await harness.waitForDeadLetters(count: 6)
                #expect(dead.allSatisfy { $0.reason == .undecodable }, "\(dead.map(\.reason))")
                let delivered = try await sink.waitForRequests(count: 1, path: "/hook")
                #expect(delivered.first?.header("webhook-id") == valid, "the worker lives on and delivers")
            }
        }
    }
}
