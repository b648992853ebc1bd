import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// `redis.durability: replicated`: a `2xx` only once `WAIT` saw the event on a replica, so a
/// master that dies right after answering loses nothing a replica cannot serve.
@Suite struct ReplicatedDurabilityTests {
    static let routes = DurabilityGateTests.routes(durability: "replicated, replicas: 1, replica_timeout: 1s")

    @Test func everyAcknowledgedEventIsOnTheReplicaWhenTheMasterDies() async throws {
        try await EdgeHarness.with(routes: Self.routes) { edge in
            // No replica yet: not ready, and nothing is accepted.
            let refused = try await edge.post(id: "msg_alone")
            #expect(refused.status == 503)
            #expect(refused.json["reason"] as? String == "durability_unmet")
            #expect(String(decoding: try await edge.get("/readyz").body, as: UTF8.self).contains("0 replicas online"))

            let replica = try await RedisServer.start(appendOnly: true)
            let replicaClient = RedisClient(url: replica.url, logger: testLogger)
            do {
                _ = try await replicaClient.send(["REPLICAOF", "127.0.0.1", RedisArgument(edge.redis.server.port)])
                try await poll(until: { try await edge.get("/readyz").status == 200 }, "ready once the replica is online")

                var acknowledged: [String] = []
                for index in 0..<20 {
                    let id = "msg_replicated_\(index)"
                    // On a loaded machine a WAIT can run out (503 not_replicated); the sender
                    // retries until it is told 2xx, as Gemini does.
                    try await poll(
                        until: { [200, 202].contains(try await edge.post(id: id).status) }, "\(id) acknowledged")
                    acknowledged.append(id)
                }

                // A replica that stops answering (a hung host) still counts as online for a while;
                // WAIT times out and the edge does not acknowledge what only the master holds.
                await replica.suspend()
                let unconfirmed = try await edge.post(id: "msg_unconfirmed")
                #expect(unconfirmed.status == 503)
                #expect(unconfirmed.json["reason"] as? String == "not_replicated")
                #expect(unconfirmed.header("retry-after") != nil)
                await replica.resume()
                // The sender's retry is answered once the replica has the event: as a duplicate,
                // since the master stored it the first time.
                try await poll(
                    until: { [200, 202].contains(try await edge.post(id: "msg_unconfirmed").status) },
                    "the retry answered once the replica caught up")
                acknowledged.append("msg_unconfirmed")

                // The master dies at once, as a crash would, and the replica takes over.
                await edge.redis.server.kill()
                _ = try await replicaClient.send(["REPLICAOF", "NO", "ONE"])
                let entries = try await replicaClient.send(["XRANGE", RedisArgument(edge.keyspace.ingress), "-", "+"]).array ?? []
                let held = Set(entries.compactMap { entry -> String? in
                    guard let fields = entry.array?.last?.array else { return nil }
                    return IngressEvent.decode(fields: fields)?.webhookID
                })
                #expect(held == Set(acknowledged))
            } catch {
                replicaClient.shutdown()
                await replica.stop()
                throw error
            }
            replicaClient.shutdown()
            await replica.stop()
        }
    }
}
