import Foundation
import SluiceRedis
import SluiceTesting
import Testing

/// A Redis that accepts connections but does not answer (paused, swapping, stuck in a script)
/// must not hold webhook calls: they get 503 after the edge's Redis command timeout.
@Suite struct IngressRedisStallTests {
    @Test func stalledRedisIsAnswered503AfterTheCommandTimeoutAndTheEdgeRecovers() async throws {
        try await EdgeHarness.with(redisCommandTimeout: .milliseconds(300)) { edge in
            // Polled, as Gemini would retry: with a 300 ms timeout the first call (connecting,
            // loading the script) can itself run out on a loaded machine.
            try await poll(until: { try await edge.post(id: "msg_before").status == 202 }, "the edge to accept before the stall")

            // Scripts count as writes: the ingest script waits as long as the pause lasts.
            _ = try await edge.redis.client.send(["CLIENT", "PAUSE", 10_000, "WRITE"])
            let started = ContinuousClock.now
            let stalled = try await edge.post(id: "msg_stalled")
            let waited = ContinuousClock.now - started
            #expect(stalled.status == 503, "an event Redis did not confirm must not be answered 2xx")
            #expect(stalled.header("retry-after") != nil)
            #expect(waited >= .milliseconds(300))
            #expect(waited < .seconds(5), "answered after the command timeout, not when the pause ends")

            _ = try await edge.redis.client.send(["CLIENT", "UNPAUSE"])
            try await poll(until: { try await edge.post(id: "msg_after").status == 202 }, "the edge to accept again")
            let ids = try await edge.ingressEvents().map(\.webhookID)
            #expect(ids.contains("msg_before"))
            #expect(ids.contains("msg_after"))
        }
    }
}
