import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// Redis losing the consumer groups (NOGROUP) does not stop routing or delivery.
@Suite struct ConsumerGroupRecoveryTests {
    static func routes(prefix: String, sink: Sink) -> String {
        WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
            retry: {schedule: [0s, 100ms, 100ms], jitter: 0%}
            """)
    }

    /// Waits until the delivery's result is written (so losing the group cannot undo its acknowledgement).
    static func waitUntilRecorded(_ id: String, harness: WorkerHarness) async throws {
        try await poll(until: {
            try await harness.store.attemptLog(source: "gemini", webhookID: id).map(\.record.outcome) == [.delivered]
        }, "the first delivery is recorded")
    }

    /// The warning a worker logs on finding a group gone (never on a first start, where the
    /// groups are created as a matter of course).
    static func missingGroupWarnings(_ logs: LogCapture) -> [Substring] {
        logs.text.split(separator: "\n").filter { $0.hasPrefix("warning consumer group was missing and has been recreated") }
    }

    @Test func destroyedConsumerGroupsAreRecreatedAndLaterEventsDelivered() async throws {
        try await withSink { sink in
            let logs = LogCapture()
            try await WorkerHarness.with(routes: { Self.routes(prefix: $0, sink: sink) }, logs: logs) { harness in
                let before = try await harness.post()
                try await Self.waitUntilRecorded(before, harness: harness)
                #expect(Self.missingGroupWarnings(logs).isEmpty, "nothing was missing at the start: \(logs.text)")
                let keyspace = harness.redis.keyspace
                let destroyed = try await harness.redis.client.pipeline([
                    ["XGROUP", "DESTROY", RedisArgument(keyspace.ingress), RedisArgument(Keyspace.routerGroup)],
                    ["XGROUP", "DESTROY", RedisArgument(keyspace.deliveries), RedisArgument(Keyspace.deliveryGroup)],
                ])
                #expect(destroyed.map(\.int) == [1, 1], "both groups existed and were destroyed: \(destroyed)")

                var after: [String] = []
                for _ in 0..<3 { after.append(try await harness.post()) }
                try await poll(until: {
                    Set(await sink.requests(to: "/hook").compactMap { $0.header("webhook-id") }) == Set([before] + after)
                }, "events sent after the groups vanished are delivered")
                let groups = try await harness.redis.client.send(["XINFO", "GROUPS", RedisArgument(keyspace.deliveries)])
                #expect((groups.array ?? []).count == 1, "the delivery group was recreated")
                let ids = await sink.requests(to: "/hook").compactMap { $0.header("webhook-id") }
                #expect(ids.count == 4, "each event delivered once: \(ids)")
                // The operator is told, naming what was missing (whichever stage finds its group
                // gone first recreates both, so the other may find nothing missing).
                let warnings = Self.missingGroupWarnings(logs)
                #expect(!warnings.isEmpty, "\(logs.text)")
                #expect(warnings.allSatisfy {
                    ($0.contains("group=router") && $0.contains("stream=\(keyspace.ingress)"))
                        || ($0.contains("group=delivery") && $0.contains("stream=\(keyspace.deliveries)"))
                }, "\(warnings)")
            }
        }
    }

    @Test func flushedRedisIsRecoveredAndLaterEventsDelivered() async throws {
        try await withSink { sink in
            let logs = LogCapture()
            try await WorkerHarness.with(routes: { Self.routes(prefix: $0, sink: sink) }, logs: logs) { harness in
                let before = try await harness.post()
                try await Self.waitUntilRecorded(before, harness: harness)
                _ = try await harness.redis.client.send(["FLUSHALL"])

                var after: [String] = []
                for _ in 0..<3 { after.append(try await harness.post()) }
                try await poll(until: {
                    Set(await sink.requests(to: "/hook").compactMap { $0.header("webhook-id") }) == Set([before] + after)
                }, "events sent after FLUSHALL are delivered")
                let ids = await sink.requests(to: "/hook").compactMap { $0.header("webhook-id") }
                #expect(ids.count == 4, "each event delivered once: \(ids)")
                try await poll(until: { try await harness.getMetricsPort("/readyz").status == 200 }, "the worker is ready")
                #expect(!Self.missingGroupWarnings(logs).isEmpty, "the data loss is logged: \(logs.text)")
            }
        }
    }
}
