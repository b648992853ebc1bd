import Foundation
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
                    try await poll(until: { await Self.delivered(sink).contains("msg_cluster_1") }, timeout: .seconds(15), "delivered through the cluster")

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

    @Test func partitionsSpreadOverTheMastersAndEveryEventIsDelivered() async throws {
        try await withSink { sink in
            try await withRedisCluster { cluster in
                let prefix = "cp\(UUID().uuidString.prefix(6).lowercased())"
                try await Self.withGateway(on: cluster, prefix: prefix, partitions: 6, sink: sink) { gateway in
                    let ids = (0..<60).map { "msg_spread_\($0)" }
                    for id in ids { #expect(try await gateway.post(id) == 202) }
                    try await poll(until: { await Self.delivered(sink) == Set(ids) }, timeout: .seconds(30), "every event is delivered from every partition")

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
                    let status = try await SluiceBinary.run(["status", "--json", "--config", gateway.routesPath, "--redis", gateway.redis])
                    #expect(status.status == 0, "\(status.output)")
                }
            }
        }
    }
}
