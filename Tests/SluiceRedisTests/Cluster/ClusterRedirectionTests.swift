import NIOPosix
import SluiceRedis
import SluiceTesting
import Testing

/// Both Redis clients on a real Redis Cluster: they find the master of their hash tag's slot, and
/// when a manual failover makes that master a replica (whose answers are then `MOVED`), they
/// reconnect to the new master.
@Suite struct ClusterRedirectionTests {
    @Test func bothClientsFollowTheSlotToItsNewMaster() async throws {
        try await withRedisCluster { cluster in
            var url = cluster.url
            url.clusterTag = "tenant42"
            let key = RedisArgument("{tenant42}:v1:probe")
            let client = RedisClient(url: url, logger: testLogger)
            defer { client.shutdown() }
            let loop = RedisLoopConnection(url: url, eventLoop: MultiThreadedEventLoopGroup.singleton.next(), logger: testLogger)
            _ = try await client.send(["SET", key, "1"])
            #expect(try await loop.send(["GET", key]).string == "1")

            // A manual failover: the master's replica takes over; the old master turns replica.
            let master = try #require(await cluster.master(of: "tenant42"))
            let masterClient = RedisClient(url: master.url, logger: testLogger)
            defer { masterClient.shutdown() }
            let info = try await masterClient.send(["INFO", "replication"]).string ?? ""
            let replicaPort = try #require(
                info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("slave0:") }?
                    .split(separator: ",").first { $0.hasPrefix("port=") }.flatMap { Int($0.dropFirst("port=".count)) })
            let replica = try #require(cluster.nodes.first { $0.port == replicaPort })
            let replicaClient = RedisClient(url: replica.url, logger: testLogger)
            defer { replicaClient.shutdown() }
            // Redis abandons a manual failover that does not finish within its 5 s (a replica
            // still catching up on a loaded machine): ask again until the replica has taken over.
            _ = try await replicaClient.send(["CLUSTER", "FAILOVER"])
            var askedAt = ContinuousClock.now
            try await poll(until: {
                if await cluster.master(of: "tenant42")?.port == replicaPort { return true }
                if ContinuousClock.now - askedAt > .seconds(6) {
                    _ = try? await replicaClient.send(["CLUSTER", "FAILOVER"])
                    askedAt = .now
                }
                return false
            }, timeout: .seconds(60), "the replica took over")

            // Both clients still hold connections to the old master, which answers MOVED: the
            // command fails, the connection is dropped, and the next one reaches the new master.
            try await poll(until: { (try? await client.send(["SET", key, "2"])) == .status("OK") }, "the threaded client writes again")
            try await poll(until: { (try? await loop.send(["GET", key]))?.string == "2" }, "the loop client reads the new master")
            #expect(try await replicaClient.send(["GET", key]).string == "2")
            await loop.close()
        }
    }
}
