import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// `--redis redis+cluster://…`: edge and worker processes on a real Redis Cluster (3 masters,
/// 3 replicas), through a failover of the master that serves Sluice's slot.
@Suite struct RedisClusterTests {
    @Test func edgeAndWorkerDeliverOnAClusterAndFollowAFailover() async throws {
        try await withSink { sink in
            try await withRedisCluster { cluster in
                let prefix = "cl\(UUID().uuidString.prefix(6).lowercased())"
                let dir = try ScratchDirectory()
                defer { dir.remove() }
                let routesPath = try dir.write(
                    "routes.yaml",
                    GatewayProcesses.routes(
                        prefix: prefix, sinkURL: sink.url("/hook"),
                        routes: "      - name: all\n        match: {source: gemini}\n        to: [acme/main]"))
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
                func delivered() async -> Set<String> {
                    Set(await sink.requests(to: "/hook").compactMap { $0.header("webhook-id") })
                }

                #expect(try await post("msg_cluster_1") == 202)
                try await poll(until: { await delivered().contains("msg_cluster_1") }, timeout: .seconds(15), "delivered through the cluster")

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
                try await poll(until: { try await post("msg_cluster_2") == 202 }, timeout: .seconds(30), "the edge accepts again after the failover")
                try await poll(until: { await delivered().contains("msg_cluster_2") }, timeout: .seconds(30), "delivered after the failover")
                #expect(await delivered().contains("msg_cluster_1"))
            }
        }
    }
}
