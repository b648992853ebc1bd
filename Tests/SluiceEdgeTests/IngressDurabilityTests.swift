import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// Nothing is answered 2xx unless it is in Redis; nothing stored twice.
@Suite struct IngressDurabilityTests {
    @Test func sameWebhookIDSentConcurrently50TimesIsStoredOnce() async throws {
        try await EdgeHarness.with { edge in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await edge.post(id: "msg_race").status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 202 }.count == 1)
            #expect(statuses.filter { $0 == 200 }.count == 49)
            #expect(try await edge.ingressLength() == 1)
        }
    }

    /// The ingest connections' reconnect backoff is a minute here, so only the durability check
    /// seeing Redis answer can bring them back in time for the first call once the edge is ready.
    @Test func redisDownAnswers503WithRetryAfterThenRecoversWithoutRestart() async throws {
        try await EdgeHarness.with(redisAppendOnly: true, redisReconnectBackoff: .seconds(60)) { edge in
            #expect(try await edge.post(id: "msg_before").status == 202)
            await edge.redis.server.kill()
            var refused: [String] = []
            for i in 0..<5 {
                let response = try await edge.post(id: "msg_down_\(i)")
                #expect(response.status == 503, "an event answered while Redis is down must not be 2xx")
                #expect(response.header("retry-after") != nil)
                refused.append("msg_down_\(i)")
            }
            let ready = try await edge.get("/readyz")
            #expect(ready.status == 503)
            try await poll(until: { edge.logText().contains("not accepting events: Redis is unreachable") }, "the edge says why it refuses")
            #expect(edge.exporterText().contains("sluice_edge_accepting 0"), "\(edge.exporterText())")
            // One line per kind of refusal, not one per call (the rest are counted for the next line).
            let refusedLines = edge.logText().split(separator: "\n").filter { $0.contains("ingest refused") }
            #expect(!refusedLines.isEmpty && refusedLines.count <= 2, "\(edge.logText())")
            for reason in ["durability_unmet", "store_unavailable"] {
                #expect(refusedLines.filter { $0.contains("reason=\(reason) ") }.count <= 1, "\(refusedLines)")
            }

            try await edge.redis.server.restart()
            // Ready again means accepting again: the ingest connections do not go on waiting out
            // their reconnect backoff (up to 2 s) once the edge has seen Redis answer.
            try await poll(until: { try await edge.get("/readyz").status == 200 }, "the edge is ready after Redis returns")
            #expect(try await edge.post(id: "msg_after").status == 202, "the first call once ready is accepted")
            #expect(edge.exporterText().contains("sluice_edge_accepting 1"), "\(edge.exporterText())")
            let ids = try await edge.ingressEvents().map(\.webhookID)
            #expect(ids.contains("msg_before"))
            #expect(ids.contains("msg_after"))
            #expect(refused.allSatisfy { !ids.contains($0) })
            // A refused event is not remembered as seen: the sender's retry is accepted.
            #expect(try await edge.post(id: "msg_down_0").status == 202)
        }
    }

    @Test func redisRefusingWritesAnswers503AndStoresNothing() async throws {
        try await EdgeHarness.with { edge in
            _ = try await edge.redis.client.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
            _ = try await edge.redis.client.send(["CONFIG", "SET", "maxmemory", "1"])
            let response = try await edge.post(id: "msg_oom")
            #expect(response.status == 503)
            _ = try await edge.redis.client.send(["CONFIG", "SET", "maxmemory", "0"])
            #expect(try await edge.ingressLength() == 0)
            let dedupe = try await edge.redis.client.send(["EXISTS", RedisArgument(edge.keyspace.eventLog(source: "gemini", webhookID: "msg_oom"))])
            #expect(dedupe.int == 0)
            #expect(try await edge.post(id: "msg_oom").status == 202)
        }
    }
}
