import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// `redis.partitions`: events spread over partitions by webhook-id, every partition is read, and
/// the count changes on a running system without losing or stranding anything.
@Suite struct PartitionTests {
    /// Routes whose `redis:` line sets `partitions`.
    static func routes(prefix: String, partitions: Int, sink: Sink) -> String {
        WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), "retry: {schedule: [0s, 100ms], jitter: 0%}")
            .replacingOccurrences(of: "redis: {prefix: \(prefix)}", with: "redis: {prefix: \(prefix), partitions: \(partitions)}")
    }

    /// The webhook-ids the sink received, each as often as it came.
    static func delivered(_ sink: Sink) async -> [String: Int] {
        var counts: [String: Int] = [:]
        for request in await sink.requests(to: "/hook") { counts[request.header("webhook-id") ?? "", default: 0] += 1 }
        return counts
    }

    @Test func eventsSpreadOverPartitionsAndEachIsDeliveredDedupedDeadLetteredAndReplayed() async throws {
        try await withSink { sink in
            let healthy = SinkSwitch()
            await sink.respond(to: "/hook") { request in
                // One event is refused for good (410 → dead letter) until the switch is on.
                if request.header("webhook-id") == "msg_gone", !(await healthy.isOn) { return .status(410) }
                return .ok
            }
            try await WorkerHarness.with(routes: { Self.routes(prefix: $0, partitions: 6, sink: sink) }) { harness in
                var ids = (0..<48).map { "msg_part_\($0)" }
                for id in ids { try await harness.post(id: id) }
                try await harness.post(id: "msg_gone")
                ids.append("msg_gone")
                try await poll(until: { await Self.delivered(sink).count == ids.count }, "every event reaches the sink")
                #expect(await Self.delivered(sink).values.allSatisfy { $0 == 1 })

                // Each event's key is in the partition its id hashes to, and only there.
                #expect(harness.stores.count == 6)
                var used = Set<Int>()
                for id in ids {
                    let partition = EventPartition.of(webhookID: id, count: 6)
                    used.insert(partition)
                    for store in harness.stores.all {
                        let log = try await store.eventLog(source: "gemini", webhookID: id)
                        #expect((log.record != nil) == (store.keyspace.partition == partition), "\(id) in partition \(store.keyspace.partition)")
                    }
                }
                #expect(used.count == 6, "49 ids use every one of 6 partitions")

                // A retry of an accepted id reaches the same partition's dedupe key.
                await #expect(throws: EdgeRefused.self) { try await harness.post(id: "msg_part_7") }

                // The dead letter is found through every partition, named by its partition, and replayed there.
                var dead: [DeadLetterEntry] = []
                try await poll(until: {
                    dead = try await harness.stores.deadLetters()
                    return dead.count == 1
                }, "the dead letter is listed")
                let partition = EventPartition.of(webhookID: "msg_gone", count: 6)
                #expect(dead[0].id.hasPrefix(partition == 0 ? "" : "\(partition)/"))
                #expect(harness.stores.split(dead[0].id)?.partition == partition)
                await healthy.turnOn()
                #expect(try await harness.stores.replay(deadLetterID: dead[0].id, with: [dead[0].delivery.restarted(atMillis: Int64(Date().timeIntervalSince1970 * 1000))]))
                try await poll(until: { await Self.delivered(sink)["msg_gone"] == 2 }, "the replay is delivered")
                try await poll(until: { try await harness.stores.status().isEmpty }, "every partition is empty")
            }
        }
    }

    @Test func raisingAndLoweringTheCountOnARunningSystemLosesNothing() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: { Self.routes(prefix: $0, partitions: 1, sink: sink) }) { harness in
                let prefix = harness.redis.prefix
                let first = (0..<20).map { "msg_one_\($0)" }
                for id in first { try await harness.post(id: id) }

                // Up to 4: the edge spreads wider only once the record says 4, and the worker reads all 4.
                try await harness.rewriteRoutes(Self.routes(prefix: prefix, partitions: 4, sink: sink))
                try await poll(until: {
                    harness.edgeMetrics().contains("sluice_ingress_partitions 4") && harness.workerMetrics().contains("sluice_worker_partitions 4")
                }, "the edge spreads over 4 partitions and the worker reads 4")
                #expect(try await harness.stores.record.read() == 4)
                var wide: [String] = []
                for index in 0..<40 {
                    let id = "msg_four_\(index)"
                    try await harness.post(id: id)
                    wide.append(id)
                }
                // Down to 2: partitions 2 and 3 keep being read while they drain.
                try await harness.rewriteRoutes(Self.routes(prefix: prefix, partitions: 2, sink: sink))
                try await poll(until: { harness.edgeMetrics().contains("sluice_ingress_partitions 2") }, "the edge spreads over 2 partitions")
                let narrow = (0..<20).map { "msg_two_\($0)" }
                for id in narrow { try await harness.post(id: id) }

                let all = first + wide + narrow
                try await poll(until: { await Self.delivered(sink).count == all.count }, "every event is delivered")
                #expect(await Self.delivered(sink).values.allSatisfy { $0 == 1 })
                #expect(Set(await Self.delivered(sink).keys) == Set(all))
                // Events sent while 4 were in use are in partitions above 0.
                var above = 0
                for id in wide where EventPartition.of(webhookID: id, count: 4) > 0 {
                    let store = harness.stores.store(EventPartition.of(webhookID: id, count: 4))
                    if try await store.eventLog(source: "gemini", webhookID: id).record != nil { above += 1 }
                }
                let expected = wide.filter { EventPartition.of(webhookID: $0, count: 4) > 0 }.count
                #expect(above == expected && expected > 20, "the events sent under 4 partitions are in the partitions their ids hash to")
                // Lowering never lowers the record (only `sluice partitions prune` does), so the worker reads all 4.
                #expect(try await harness.stores.record.read() == 4)
                #expect(harness.workerMetrics().contains("sluice_worker_partitions 4"))
            }
        }
    }
}
