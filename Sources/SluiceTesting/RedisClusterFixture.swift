import Foundation
public import SluiceRedis

/// A real Redis Cluster on loopback for a test: `masters` masters with `replicasPerMaster`
/// replicas each (`redis-server --cluster-enabled yes` per node, joined by `redis-cli --cluster
/// create`), nodes timing out after 1 s so a failover takes seconds, torn down after `body`.
public struct RedisClusterFixture: Sendable {
    /// Every node, in the order `redis-cli --cluster create` was given them (masters first).
    public let nodes: [RedisServer]
    /// `redis+cluster://` with every node as a seed.
    public let url: RedisURL

    /// The node currently serving `tag`'s slot as master, from `CLUSTER SLOTS` of a live node.
    public func master(of tag: String) async throws -> RedisServer? {
        let slot = HashSlot.of(tag)
        for node in nodes {
            let client = RedisClient(url: node.url, logger: testLogger, connectTimeout: .milliseconds(300), commandTimeout: .seconds(2))
            defer { client.shutdown() }
            guard let ranges = try? await client.send(["CLUSTER", "SLOTS"]).array else { continue }
            for range in ranges {
                guard let parts = range.array, parts.count >= 3, let first = parts[0].int, let last = parts[1].int,
                    (Int(first)...Int(last)).contains(slot), let port = parts[2].array?[1].int
                else { continue }
                return nodes.first { $0.port == Int(port) }
            }
        }
        return nil
    }
}

/// Starts a cluster, runs `body`, stops every node (also when `body` throws).
public func withRedisCluster<T>(masters: Int = 3, replicasPerMaster: Int = 1, _ body: (RedisClusterFixture) async throws -> T) async throws -> T {
    var nodes: [RedisServer] = []
    do {
        for _ in 0..<(masters * (1 + replicasPerMaster)) {
            nodes.append(
                try await RedisServer.start(
                    appendOnly: true,
                    extraArguments: [
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
                        // Replicas synchronise at once (not after the default 5 s batching delay), so a
                        // master killed early in a test has a replica able to take over.
                        "--repl-diskless-sync-delay", "0",
                    ]))
        }
        let create = try await ToolRun.run(
            URL(fileURLWithPath: "/usr/bin/redis-cli"),
            ["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" } + ["--cluster-replicas", String(replicasPerMaster), "--cluster-yes"])
        guard create.status == 0 else { throw RedisClusterDidNotForm(output: create.text) }
        // Every node must agree that the cluster is up before a test leans on it.
        for node in nodes {
            let client = RedisClient(url: node.url, logger: testLogger)
            defer { client.shutdown() }
            try await poll(
                until: { (try await client.send(["CLUSTER", "INFO"]).string ?? "").contains("cluster_state:ok") },
                timeout: .seconds(30), "node \(node.port) reports cluster_state:ok")
            // A replica counts only once it holds its master's data: until then it cannot take over.
            try await poll(
                until: {
                    let info = try await client.send(["INFO", "replication"]).string ?? ""
                    return info.contains("role:master") || info.contains("master_link_status:up")
                }, timeout: .seconds(30), "node \(node.port) has synchronised with its master")
        }
        let seeds = nodes.map { RedisURL.ClusterNode(host: "127.0.0.1", port: $0.port) }
        let fixture = RedisClusterFixture(nodes: nodes, url: RedisURL(endpoint: .cluster(seeds: seeds)))
        let result = try await body(fixture)
        for node in nodes { await node.stop() }
        return result
    } catch {
        for node in nodes { await node.stop() }
        throw error
    }
}

/// `redis-cli --cluster create` failed.
public struct RedisClusterDidNotForm: Error, CustomStringConvertible {
    public let output: String
    public var description: String { "redis-cli --cluster create failed: \(output)" }
}
