import Foundation
import Logging

/// A Redis Cluster of local `redis-server` processes (for tests and the chaos harness): `masters`
/// masters with `replicasPerMaster` replicas each (`--cluster-enabled yes` per node, joined by
/// `redis-cli --cluster create`), nodes timing out after 1 s so that a failover takes seconds.
public struct RedisClusterServer: Sendable {
    /// Every node, in the order `redis-cli --cluster create` was given them (masters first).
    public let nodes: [RedisServer]
    /// `redis+cluster://` with every node as a seed.
    public let url: RedisURL

    /// Starts the nodes, forms the cluster and returns once every node reports `cluster_state:ok`
    /// and every replica has synchronised with its master.
    ///
    /// - Throws: `RedisError` of kind `.launchFailed`.
    public static func start(
        masters: Int = 3, replicasPerMaster: Int = 1, appendFsync: String = "everysec", directory: String? = nil
    ) async throws(RedisError) -> RedisClusterServer {
        var nodes: [RedisServer] = []
        do {
            for index in 0..<(masters * (1 + replicasPerMaster)) {
                nodes.append(
                    try await RedisServer.start(
                        appendOnly: true, appendFsync: appendFsync, directory: directory.map { "\($0)/node-\(index)" },
                        extraArguments: [
                            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
                            // Replicas synchronise at once (not after the default 5 s batching delay), so a
                            // master killed early has a replica able to take over.
                            "--repl-diskless-sync-delay", "0",
                        ]))
            }
            try await form(nodes, replicasPerMaster: replicasPerMaster)
        } catch {
            for node in nodes { await node.stop() }
            throw error
        }
        let seeds = nodes.map { RedisURL.ClusterNode(host: "127.0.0.1", port: $0.port) }
        return RedisClusterServer(nodes: nodes, url: RedisURL(endpoint: .cluster(seeds: seeds)))
    }

    /// Stops every node.
    public func stop() async {
        for node in nodes { await node.stop() }
    }

    /// The node currently serving `tag`'s slot as master, from `CLUSTER SLOTS` of a live node.
    public func master(of tag: String) async -> RedisServer? {
        let slot = HashSlot.of(tag)
        for node in nodes {
            let client = Self.client(node)
            defer { client.shutdown() }
            guard let slotMap = try? await client.send(["CLUSTER", "SLOTS"]),
                let master = ClusterResolver.master(ofSlot: slot, in: slotMap)
            else { continue }
            return nodes.first { $0.port == master.port }
        }
        return nil
    }

    /// The cluster node id of `node` (`CLUSTER MYID`).
    public func nodeID(of node: RedisServer) async throws(RedisError) -> String {
        let client = Self.client(node)
        defer { client.shutdown() }
        guard let id = try await client.send(["CLUSTER", "MYID"]).string, !id.isEmpty else {
            throw RedisError(kind: .protocolViolation, message: "node \(node.port) did not say its cluster node id")
        }
        return id
    }

    /// The first and last slot `node` serves (a cluster formed by `start` gives each master one range).
    public func slotRange(of node: RedisServer) async -> ClosedRange<Int>? {
        let client = Self.client(node)
        defer { client.shutdown() }
        guard let ranges = try? await client.send(["CLUSTER", "SLOTS"]).array else { return nil }
        let owned = ranges.compactMap { range -> ClosedRange<Int>? in
            guard let parts = range.array, parts.count >= 3, let first = parts[0].int, let last = parts[1].int,
                let master = parts[2].array, master.count >= 2, master[1].int == Int64(node.port)
            else { return nil }
            return Int(first)...Int(last)
        }
        guard let low = owned.map(\.lowerBound).min(), let high = owned.map(\.upperBound).max() else { return nil }
        return low...high
    }

    /// Moves `slots` slots (the lowest `source` serves) with their keys to `target`, live, as an
    /// operator would: `redis-cli --cluster reshard`. Returns once redis-cli is done.
    public func reshard(from source: RedisServer, to target: RedisServer, slots: Int) async throws(RedisError) {
        let arguments = [
            "redis-cli", "--cluster", "reshard", "127.0.0.1:\(source.port)", "--cluster-from", try await nodeID(of: source),
            "--cluster-to", try await nodeID(of: target), "--cluster-slots", String(slots), "--cluster-yes",
        ]
        let logPath = (source.directory as NSString).appendingPathComponent("cluster-reshard.log")
        let reshard = try ChildProcess.spawn(executable: "/usr/bin/env", arguments: arguments, logPath: logPath)
        await reshard.exit.wait()
        guard reshard.exit.status == 0 else {
            throw RedisError(kind: .launchFailed, message: "redis-cli --cluster reshard exited \(reshard.exit.status ?? -1); see \(logPath)")
        }
    }

    private static func form(_ nodes: [RedisServer], replicasPerMaster: Int) async throws(RedisError) {
        let arguments = ["redis-cli", "--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" }
            + ["--cluster-replicas", String(replicasPerMaster), "--cluster-yes"]
        let logPath = (nodes[0].directory as NSString).appendingPathComponent("cluster-create.log")
        let create = try ChildProcess.spawn(executable: "/usr/bin/env", arguments: arguments, logPath: logPath)
        await create.exit.wait()
        guard create.exit.status == 0 else {
            throw RedisError(
                kind: .launchFailed, message: "redis-cli --cluster create exited \(create.exit.status ?? -1); is redis-tools installed? See \(logPath)")
        }
        let deadline = ContinuousClock.now + .seconds(30)
        for node in nodes {
            let client = client(node)
            defer { client.shutdown() }
            while true {
                let state = (try? await client.send(["CLUSTER", "INFO"]).string) ?? ""
                let replication = (try? await client.send(["INFO", "replication"]).string) ?? ""
                // Up, and a replica only once it holds its master's data (until then it cannot take over).
                if state.contains("cluster_state:ok") && (replication.contains("role:master") || replication.contains("master_link_status:up")) {
                    break
                }
                guard ContinuousClock.now < deadline else {
                    throw RedisError(kind: .launchFailed, message: "the Redis Cluster did not come up within 30 s (node \(node.port))")
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private static func client(_ node: RedisServer) -> RedisClient {
        RedisClient(
            url: node.url, logger: Logger(label: "sluice.redis-cluster", factory: { _ in SwiftLogNoOpLogHandler() }),
            connectTimeout: .milliseconds(300), commandTimeout: .seconds(2))
    }
}
