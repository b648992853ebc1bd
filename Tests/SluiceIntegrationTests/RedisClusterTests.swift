import Foundation
import Logging
import Synchronization
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// `--redis redis+cluster://…`: edge and worker processes on a real Redis Cluster (3 masters,
/// 3 replicas), through a failover of the master that serves Sluice's slot.
@Suite struct RedisClusterTests {
    /// An edge and a worker process on `cluster` under `prefix` (with `partitions`), delivering
    /// every event to the sink's `/hook`.
    struct Gateway {
        let routesPath: String
        let redis: String
        let edgePort: Int
        let client: HTTPClient

        /// POSTs a signed event with webhook-id `id`; returns the edge's status.
        func post(_ id: String) async throws -> Int {
            let now = Int64(Date().timeIntervalSince1970)
            let body = Array(#"{"type":"batch.succeeded","data":{}}"#.utf8)
            let signature = WebhookSigner.signatureHeader(
                for: SignedContent(id: id, timestamp: now, body: body), secrets: [try WebhookSecret(parsing: GatewayProcesses.sourceSecret)])
            return try await client.execute(HTTPRequest(
                url: "http://127.0.0.1:\(edgePort)/webhooks/gemini",
                headers: [
                    .init(name: "content-type", value: "application/json"), .init(name: "webhook-id", value: id),
                    .init(name: "webhook-timestamp", value: String(now)), .init(name: "webhook-signature", value: signature),
                ],
                body: body, timeout: .seconds(10))).status
        }
    }

    static func withGateway(
        on cluster: RedisClusterServer, prefix: String, partitions: Int = 1, sink: Sink, _ body: (Gateway) async throws -> Void
    ) async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let routesPath = try dir.write(
            "routes.yaml",
            GatewayProcesses.routes(
                prefix: prefix, sinkURL: sink.url("/hook"), routes: "      - name: all\n        match: {source: gemini}\n        to: [acme/main]"
            ).replacingOccurrences(of: "redis: {prefix: \(prefix)}", with: "redis: {prefix: \(prefix), partitions: \(partitions)}"))
        let client = try HTTPClient()
        defer { client.shutdown() }
        let redis = "\(cluster.url)"
        let (edge, edgePort) = try await SluiceBinary.startServer("the edge", log: dir.file("edge.log"), client: client) { port in
            ["edge", "--config", routesPath, "--redis", redis, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"]
        }
        defer { edge.send(SIGKILL) }
        let worker = try await SluiceBinary.startServer("the worker", log: dir.file("worker.log"), client: client) { port in
            ["worker", "--config", routesPath, "--redis", redis, "--metrics-listen", "127.0.0.1:\(port)", "--log-level", "warning"]
        }.process
        defer { worker.send(SIGKILL) }
        try await body(Gateway(routesPath: routesPath, redis: redis, edgePort: edgePort, client: client))
    }

    /// The webhook-ids the sink received.
    static func delivered(_ sink: Sink) async -> Set<String> {
        Set(await sink.requests(to: "/hook").compactMap { $0.header("webhook-id") })
    }

    @Test func edgeAndWorkerDeliverOnAClusterAndFollowAFailover() async throws {
        try await withSink { sink in
            try await withRedisCluster { cluster in
                let prefix = "cl\(UUID().uuidString.prefix(6).lowercased())"
                try await Self.withGateway(on: cluster, prefix: prefix, sink: sink) { gateway in
                    #expect(try await gateway.post("msg_cluster_1") == 202)
                    try await poll(until: { await Self.delivered(sink).contains("msg_cluster_1") }, "delivered through the cluster")

                    // Sluice's keys all live in the slot of its prefix, on one master.
                    let owner = try #require(await cluster.master(of: prefix))
                    let ownerClient = RedisClient(url: owner.url, logger: testLogger)
                    let keys = try await ownerClient.send(["CLUSTER", "COUNTKEYSINSLOT", RedisArgument(HashSlot.of(prefix))]).int ?? 0
                    ownerClient.shutdown()
                    #expect(keys > 0, "the event's keys are in the slot of {\(prefix)} on \(owner.port)")

                    // That master dies; its replica takes the slot over and both processes follow it.
                    await owner.kill()
                    try await poll(
                        until: { await cluster.master(of: prefix).map { $0.port != owner.port } ?? false }, timeout: .seconds(30),
                        "a replica took the slot over")
                    try await poll(until: { try await gateway.post("msg_cluster_2") == 202 }, timeout: .seconds(30), "the edge accepts again after the failover")
                    try await poll(until: { await Self.delivered(sink).contains("msg_cluster_2") }, timeout: .seconds(30), "delivered after the failover")
                    #expect(await Self.delivered(sink).contains("msg_cluster_1"))
                }
            }
        }
    }

    /// Every partition's master is checked for the durability, not only partition 0's: one master
    /// without the AOF (a node replaced on a default config, a `CONFIG SET` at run time) makes the
    /// edge refuse every call with 503, as one Redis would, until it has the AOF again. Before,
    /// the events of that master's partitions were answered 202 and lost with its next restart.
    @Test func aPartitionsMasterWithoutTheAOFMakesTheEdgeRefuseUntilItHasItAgain() async throws {
        try await withSink { sink in
            try await withRedisCluster(masters: 3, replicasPerMaster: 0) { cluster in
                // A prefix whose partition 1 is on another master than its partition 0.
                var prefix = ""
                var other: RedisServer?
                for _ in 0..<100 where other == nil {
                    prefix = "cd\(UUID().uuidString.prefix(6).lowercased())"
                    let first = await cluster.master(of: Keyspace(prefix: prefix).tag)
                    let second = await cluster.master(of: Keyspace(prefix: prefix, partition: 1).tag)
                    if let first, let second, first.port != second.port { other = second }
                }
                let master = try #require(other, "no prefix of 100 put partitions 0 and 1 on different masters")
                try await Self.withGateway(on: cluster, prefix: prefix, partitions: 6, sink: sink) { gateway in
                    try await poll(until: { try await gateway.post("msg_\(UUID().uuidString)") == 202 }, "the edge accepts on the cluster")
                    let admin = RedisClient(url: master.url, logger: Logger(label: "sluice.test.redis"))
                    defer { admin.shutdown() }
                    _ = try await admin.send(["CONFIG", "SET", "appendonly", "no"])
                    try await poll(until: { try await gateway.post("msg_\(UUID().uuidString)") == 503 }, "the edge refuses once it has checked that master")
                    _ = try await admin.send(["CONFIG", "SET", "appendonly", "yes"])
                    try await poll(until: { try await gateway.post("msg_\(UUID().uuidString)") == 202 }, "the edge accepts again")
                }
            }
        }
    }

    @Test func thePipelineRunsOnSixPartitionsSpreadOverTheMasters() async throws {
        try await withSink { sink in
            // Every fifth event fails its first attempt (a retry); one is refused for good (a dead letter) until repaired.
            let repaired = SinkSwitch()
            let failedOnce = Mutex(Set<String>())
            await sink.respond(to: "/hook") { request in
                let id = request.header("webhook-id") ?? ""
                if id == "msg_spread_gone" { return await repaired.isOn ? .ok : .status(410) }
                if id.hasSuffix("0") || id.hasSuffix("5"), failedOnce.withLock({ $0.insert(id).inserted }) { return .status(503) }
                return .ok
            }
            try await withRedisCluster { cluster in
                let prefix = "cp\(UUID().uuidString.prefix(6).lowercased())"
                try await Self.withGateway(on: cluster, prefix: prefix, partitions: 6, sink: sink) { gateway in
                    let ids = (0..<60).map { "msg_spread_\($0)" }
                    for id in ids + ["msg_spread_gone"] { #expect(try await gateway.post(id) == 202) }
                    // Dedupe: a retry of an accepted id finds its key in its partition.
                    #expect(try await gateway.post("msg_spread_7") == 200)
                    // Delivered: once each, and twice (503, then 2xx) for every fifth.
                    let expected = Dictionary(uniqueKeysWithValues: ids.map { ($0, $0.hasSuffix("0") || $0.hasSuffix("5") ? 2 : 1) })
                    func attempts() async -> [String: Int] {
                        var counts: [String: Int] = [:]
                        for request in await sink.requests(to: "/hook") { counts[request.header("webhook-id") ?? "", default: 0] += 1 }
                        return counts.filter { $0.key != "msg_spread_gone" }
                    }
                    try await poll(until: { await attempts() == expected }, timeout: .seconds(30), "every event is delivered from every partition, retries included")
                    let requests = await sink.requests(to: "/hook")
                    #expect(requests.filter { $0.header("webhook-id") == "msg_spread_10" }.map { $0.header("x-sluice-attempt") } == ["1", "2"])
                    #expect(requests.allSatisfy { $0.isSigned(with: GatewayProcesses.tenantSecret) })

                    // The dead letter is listed with its partition and replayed there.
                    let operatorArguments = ["--config", gateway.routesPath, "--redis", gateway.redis]
                    try await poll(until: {
                        try await SluiceBinary.run(["dlq", "list", "--json"] + operatorArguments).output.contains("msg_spread_gone")
                    }, "the dead letter is listed")
                    await repaired.turnOn()
                    let replay = try await SluiceBinary.run(["dlq", "replay", "--all", "--json"] + operatorArguments)
                    #expect(replay.status == 0 && replay.output.contains(#""replayed":1"#), "\(replay.output)")
                    try await poll(until: {
                        await sink.requests(to: "/hook").filter { $0.header("webhook-id") == "msg_spread_gone" }.count == 2
                    }, "the replay is delivered")

                    // Each partition's keys sit on the master that serves its hash tag's slot, and
                    // those masters are more than one: the load is spread.
                    var owners = Set<Int>()
                    for keyspace in Keyspace.partitions(prefix: prefix, count: 6) {
                        let owner = try #require(await cluster.master(of: keyspace.tag))
                        owners.insert(owner.port)
                        let ownerClient = RedisClient(url: owner.url, logger: testLogger)
                        let keys = try await ownerClient.send(["CLUSTER", "COUNTKEYSINSLOT", RedisArgument(HashSlot.of(keyspace.tag))]).int ?? 0
                        ownerClient.shutdown()
                        #expect(keys > 0, "partition \(keyspace.partition)'s keys are in the slot of {\(keyspace.tag)} on \(owner.port)")
                    }
                    #expect(owners.count > 1, "6 partitions on \(owners.count) of 3 masters")
                    // `partitions show` names each partition's slot and the master serving it.
                    let shown = try await SluiceBinary.run(["partitions", "show", "--json"] + operatorArguments)
                    let object = try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any]
                    let rows = try #require(object?["partitions"] as? [[String: Any]], "\(shown.output)")
                    for (row, keyspace) in zip(rows, Keyspace.partitions(prefix: prefix, count: 6)) {
                        #expect(row["slot"] as? Int == HashSlot.of(keyspace.tag))
                        let owner = await cluster.master(of: keyspace.tag)
                        #expect(row["master"] as? String == owner.map { "127.0.0.1:\($0.port)" }, "\(row)")
                    }
                }
            }
        }
    }
}
