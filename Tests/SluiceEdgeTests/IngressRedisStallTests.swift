import Foundation
import SluiceRedis
import SluiceTesting
import Testing

/// A Redis that accepts connections but does not answer (paused, swapping, stuck in a script)
/// must not hold webhook calls: they get 503 after the edge's Redis command timeout.
@Suite struct IngressRedisStallTests {
    @Test func stalledRedisIsAnswered503AfterTheCommandTimeoutAndTheEdgeRecovers() async throws {
        // 2 s, not less: with 300 ms, a CI machine running every suite at once once kept the edge
        // from accepting any call for 30 s before the stall began.
        let commandTimeout = Duration.seconds(2)
        try await EdgeHarness.with(redisCommandTimeout: commandTimeout) { edge in
            var lastStatus = 0
            do {
                try await poll(until: {
                    lastStatus = try await edge.post(id: "msg_before").status
                    return lastStatus == 202
                }, "the edge to accept before the stall")
            } catch {
                Issue.record("last answer \(lastStatus); the edge's log:\n\(edge.logText())")
                throw error
            }

            // Scripts count as writes: the ingest script waits as long as the pause lasts.
            _ = try await edge.redis.client.send(["CLIENT", "PAUSE", 30_000, "WRITE"])
            let started = ContinuousClock.now
            let stalled = try await edge.post(id: "msg_stalled")
            let waited = ContinuousClock.now - started
            #expect(stalled.status == 503, "an event Redis did not confirm must not be answered 2xx")
            #expect(stalled.header("retry-after") != nil)
            #expect(waited >= commandTimeout)
            #expect(waited < .seconds(15), "answered after the command timeout, not when the 30 s pause ends")

            _ = try await edge.redis.client.send(["CLIENT", "UNPAUSE"])
            try await poll(until: { try await edge.post(id: "msg_after").status == 202 }, "the edge to accept again")
            let ids = try await edge.ingressEvents().map(\.webhookID)
            #expect(ids.contains("msg_before"))
            #expect(ids.contains("msg_after"))
        }
    }
}
