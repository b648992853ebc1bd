import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// What dead workers leave behind is removed — idle consumers without pending entries, expired
/// circuit reports, endpoint summaries nobody refreshes — and nothing that still holds work.
@Suite struct WorkerStoreSweepTests {
    static func consumers(_ h: WorkerStoreHarness, stream: String, group: String) async throws -> [String] {
        let reply = try await h.redis.client.send(["XINFO", "CONSUMERS", RedisArgument(stream), RedisArgument(group)])
        return (reply.array ?? []).compactMap { consumer in
            let fields = consumer.array ?? []
            return stride(from: 0, to: fields.count - 1, by: 2).first { fields[$0].string == "name" }.flatMap { fields[$0 + 1].string }
        }
    }

    @Test func idleConsumersWithoutPendingEntriesAndExpiredCircuitReportsAreRemoved() async throws {
        try await WorkerStoreHarness.run { h in
            let keyspace = h.store.keyspace
            // Two dead workers of the delivery group: one read and settled its entry, one still holds one.
            let settledID = try #require(try await h.redis.client.send(["XADD", RedisArgument(keyspace.deliveries), "*", "a", "1"]).string)
            _ = try await h.redis.client.send(["XADD", RedisArgument(keyspace.deliveries), "*", "a", "2"])
            _ = try await h.redis.client.send([
                "XREADGROUP", "GROUP", "delivery", "ghost", "COUNT", "1", "STREAMS", RedisArgument(keyspace.deliveries), ">",
            ])
            _ = try await h.redis.client.send(["XACK", RedisArgument(keyspace.deliveries), "delivery", RedisArgument(settledID)])
            _ = try await h.redis.client.send([
                "XREADGROUP", "GROUP", "delivery", "holder", "COUNT", "1", "STREAMS", RedisArgument(keyspace.deliveries), ">",
            ])
            // A router that died idle, and this worker itself.
            for name in ["old-router", "me"] {
                _ = try await h.redis.client.send(["XGROUP", "CREATECONSUMER", RedisArgument(keyspace.ingress), "router", RedisArgument(name)])
            }
            // Circuit reports: one long expired, one current.
            try await h.store.publishCircuit(EndpointRef(tenant: "acme", endpoint: "main"), consumer: "ghost", probeAtMillis: 1_000)
            try await h.store.publishCircuit(EndpointRef(tenant: "acme", endpoint: "main"), consumer: "me", probeAtMillis: 9_000_000_000_000)

            // Endpoint summaries for the console: a dead worker's, published long ago, and this one's.
            func summary(_ consumer: String, at millis: Int64) -> EndpointSummary {
                EndpointSummary(
                    endpoint: "acme/main", consumer: consumer, atMillis: millis, attempts: 1, succeeded: 1, p50Millis: 1, p95Millis: 1, p99Millis: 1,
                    inFlight: 0, lastError: nil, lastErrorAtMillis: nil)
            }
            try await h.store.publish([summary("ghost", at: 1_000), summary("me", at: 9_000_000_000_000)])

            let swept = try await h.store.sweep(consumerIdle: .zero, circuitCutoffMillis: 1_700_000_000_000, keep: ["me"])
            #expect(swept.consumers == 2)
            #expect(swept.circuitReports == 1)
            #expect(swept.endpointSummaries == 1)
            #expect(try await h.store.endpointSummaries().map(\.consumer) == ["me"])
            #expect(try await Self.consumers(h, stream: keyspace.deliveries, group: "delivery") == ["holder"])
            #expect(try await Self.consumers(h, stream: keyspace.ingress, group: "router") == ["me"])
            #expect(try await h.store.openCircuits().map(\.consumer) == ["me"])
            // The entry the surviving consumer holds is still pending, to be reclaimed.
            #expect(try await h.store.status().deliveriesPending == 1)
        }
    }

    @Test func consumersIdleForLessThanTheThresholdStay() async throws {
        try await WorkerStoreHarness.run { h in
            _ = try await h.redis.client.send(["XGROUP", "CREATECONSUMER", RedisArgument(h.store.keyspace.ingress), "router", "recent"])
            let swept = try await h.store.sweep(consumerIdle: .seconds(600), circuitCutoffMillis: 0, keep: [])
            #expect(swept.consumers == 0)
            #expect(try await Self.consumers(h, stream: h.store.keyspace.ingress, group: "router") == ["recent"])
        }
    }
}
