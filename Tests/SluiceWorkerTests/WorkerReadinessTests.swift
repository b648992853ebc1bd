import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// The worker is not ready while Redis could lose what it writes (deliveries, retries, dead letters).
@Suite struct WorkerReadinessTests {
    @Test func anEvictingRedisMakesTheWorkerNotReadyUntilItStops() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: { WorkerHarness.acmeMain(prefix: $0, url: sink.url("/hook")) }) { harness in
                #expect(try await harness.getMetricsPort("/readyz").status == 200)
                _ = try await harness.redis.client.send(["CONFIG", "SET", "maxmemory", "512mb"])
                _ = try await harness.redis.client.send(["CONFIG", "SET", "maxmemory-policy", "volatile-lru"])
                let refused = try await harness.getMetricsPort("/readyz")
                #expect(refused.status == 503)
                #expect(String(decoding: refused.body, as: UTF8.self).contains("maxmemory-policy volatile-lru"))
                _ = try await harness.redis.client.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
                #expect(try await harness.getMetricsPort("/readyz").status == 200)
            }
        }
    }
}
