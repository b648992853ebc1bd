import Foundation
import SluiceRedis
import SluiceTesting
import Testing

/// `redis.durability`: the edge accepts only while Redis is configured to keep what it accepts —
/// an AOF (`write`), an fsync per write (`fsync`), and no eviction — or when told not to check (`none`).
@Suite struct DurabilityGateTests {
    static func routes(durability: String) -> RoutesTemplate {
        RoutesTemplate { prefix in
            EdgeHarness.routes(prefix: prefix).replacingOccurrences(
                of: "redis: {prefix: \(prefix)}", with: "redis: {prefix: \(prefix), durability: \(durability)}")
        }
    }

    static let fsyncRoutes = routes(durability: "fsync")

    @Test func fsyncDurabilityFollowsRedisAppendFsyncSetting() async throws {
        try await EdgeHarness.with(routes: Self.fsyncRoutes, redisAppendOnly: false) { edge in
            // The fixture's Redis runs without AOF: the edge must refuse and say why.
            try await poll(until: { try await edge.get("/readyz").status == 503 }, "the edge reports not ready")
            let refused = try await edge.post(id: "msg_no_aof")
            #expect(refused.status == 503)
            #expect(refused.json["reason"] as? String == "durability_unmet")
            #expect(refused.header("retry-after") != nil)
            #expect(String(decoding: try await edge.get("/readyz").body, as: UTF8.self).contains("appendonly no"))
            #expect(try await edge.ingressLength() == 0)

            _ = try await edge.redis.client.send(["CONFIG", "SET", "appendonly", "yes"])
            _ = try await edge.redis.client.send(["CONFIG", "SET", "appendfsync", "always"])
            try await poll(until: { try await edge.post(id: "msg_fsync").status == 202 }, "accepted once Redis fsyncs always")
            #expect(try await edge.get("/readyz").status == 200)

            // Switching Redis back to everysec at runtime closes the gate again within the check interval.
            _ = try await edge.redis.client.send(["CONFIG", "SET", "appendfsync", "everysec"])
            try await poll(until: { try await edge.get("/readyz").status == 503 }, timeout: .seconds(15), "not ready under everysec")
            #expect(try await edge.post(id: "msg_everysec").status == 503)
            #expect(try await edge.ingressEvents().map(\.webhookID) == ["msg_fsync"])
            // A refused event was never recorded as seen: its retry is accepted once durability is back.
            _ = try await edge.redis.client.send(["CONFIG", "SET", "appendfsync", "always"])
            try await poll(until: { try await edge.post(id: "msg_everysec").status == 202 }, "the retry is accepted")
        }
    }

    @Test func configGetForbiddenIsReportedAsTheReason() async throws {
        try await EdgeHarness.with(routes: Self.fsyncRoutes, redisAppendOnly: true) { edge in
            _ = try await edge.redis.client.send(["CONFIG", "SET", "appendfsync", "always"])
            try await poll(until: { try await edge.get("/readyz").status == 200 }, "ready with appendfsync always")
            // Managed Redis services often forbid CONFIG; the default user loses it here (the fixture is discarded after).
            _ = try await edge.redis.client.send(["ACL", "SETUSER", "default", "-config"])
            try await poll(until: { try await edge.get("/readyz").status == 503 }, "not ready without CONFIG")
            let body = String(decoding: try await edge.get("/readyz").body, as: UTF8.self)
            #expect(body.contains("refuses CONFIG GET"), "\(body)")
            #expect(try await edge.post(id: "msg_noconfig").status == 503)
        }
    }

    @Test func writeDurabilityRefusesARedisWithoutAOFUntilItHasOne() async throws {
        try await EdgeHarness.with(redisAppendOnly: false) { edge in
            // Every 202 would be volatile: a restart would empty ingress, deliveries, retries and dead letters.
            try await poll(until: { try await edge.get("/readyz").status == 503 }, "the edge reports not ready")
            let body = String(decoding: try await edge.get("/readyz").body, as: UTF8.self)
            #expect(body.contains("appendonly no"), "\(body)")
            let refused = try await edge.post(id: "msg_volatile")
            #expect(refused.status == 503)
            #expect(refused.json["reason"] as? String == "durability_unmet")
            #expect(try await edge.ingressLength() == 0)

            _ = try await edge.redis.client.send(["CONFIG", "SET", "appendonly", "yes"])
            try await poll(until: { try await edge.post(id: "msg_volatile").status == 202 }, "accepted once Redis has its AOF")
            #expect(try await edge.get("/readyz").status == 200)
        }
    }

    @Test func anEvictingMaxmemoryPolicyIsRefused() async throws {
        try await EdgeHarness.with { edge in
            #expect(try await edge.post(id: "msg_kept").status == 202)
            _ = try await edge.redis.client.send(["CONFIG", "SET", "maxmemory", "512mb"])
            _ = try await edge.redis.client.send(["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"])
            try await poll(until: { try await edge.get("/readyz").status == 503 }, "not ready while Redis may evict")
            let body = String(decoding: try await edge.get("/readyz").body, as: UTF8.self)
            #expect(body.contains("maxmemory-policy allkeys-lru"), "\(body)")
            #expect(try await edge.post(id: "msg_evictable").status == 503)
            _ = try await edge.redis.client.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
            try await poll(until: { try await edge.post(id: "msg_evictable").status == 202 }, "accepted under noeviction")
        }
    }

    @Test func writeDurabilityWithoutConfigAccessIsAcceptedWithAWarning() async throws {
        try await EdgeHarness.with { edge in
            try await poll(until: { try await edge.get("/readyz").status == 200 }, "ready with an AOF")
            // A managed Redis that forbids CONFIG: sluice cannot check, says so, and trusts the operator.
            _ = try await edge.redis.client.send(["ACL", "SETUSER", "default", "-config"])
            try await poll(until: { edge.logText().contains("refuses CONFIG GET") }, "the missing check is logged")
            #expect(try await edge.get("/readyz").status == 200)
            #expect(try await edge.post(id: "msg_managed").status == 202)
        }
    }

    /// A managed Redis that forbids CONFIG but answers INFO: under `replicated` the edge still
    /// counts the replicas online, and is not ready without them (this Redis has none).
    @Test func replicatedDurabilityWithoutConfigAccessStillCountsReplicas() async throws {
        try await EdgeHarness.with(routes: Self.routes(durability: "replicated, replicas: 1, replica_timeout: 100ms")) { edge in
            try await poll(until: { try await edge.get("/readyz").status == 503 }, "not ready without a replica")
            _ = try await edge.redis.client.send(["ACL", "SETUSER", "default", "-config"])
            try await poll(until: { edge.logText().contains("refuses CONFIG GET") }, "the missing check is logged")
            let readiness = try await edge.get("/readyz")
            #expect(readiness.status == 503)
            #expect(String(decoding: readiness.body, as: UTF8.self).contains("0 replicas online"), "\(String(decoding: readiness.body, as: UTF8.self))")
            let refused = try await edge.post(id: "msg_unreplicated")
            #expect(refused.status == 503 && refused.json["reason"] as? String == "durability_unmet")
        }
    }

    @Test func durabilityNoneAcceptsWithoutAOF() async throws {
        try await EdgeHarness.with(routes: Self.routes(durability: "none"), redisAppendOnly: false) { edge in
            let response = try await edge.post(id: "msg_none")
            #expect(response.status == 202)
            #expect(try await edge.get("/readyz").status == 200)
            #expect(edge.exporterText().contains("sluice_edge_accepting 1"))
            // Without a durability to check, an unreachable Redis still means nothing is accepted.
            await edge.redis.server.kill()
            try await poll(until: { edge.exporterText().contains("sluice_edge_accepting 0") }, "the gauge says the edge accepts nothing")
        }
    }
}
