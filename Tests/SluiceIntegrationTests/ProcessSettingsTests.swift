import Foundation
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// How an edge or a worker process takes its settings as the Helm chart and an operator give
/// them: from the environment instead of flags, a reload on SIGHUP, Redis on a Unix socket.
@Suite struct ProcessSettingsTests {
    /// The chart sets listen addresses and logging through `SLUICE_*` variables, not flags.
    @Test func listenAddressesAndLoggingComeFromTheEnvironmentWithoutFlags() async throws {
        try await withRedis { redis in
            let gateway = try GatewayProcesses(
                redis: redis, routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: "http://127.0.0.1:9/hook", routes: GatewayProcesses.everyEventToMain))
            defer { gateway.close() }
            let edgeLog = gateway.dir.file("edge.log"), workerLog = gateway.dir.file("worker.log")
            let (edge, _) = try await SluiceBinary.startServer(
                "the edge", log: edgeLog, environment: ["SLUICE_LOG_FORMAT": "json", "SLUICE_LOG_LEVEL": "info"],
                listenVariable: "SLUICE_LISTEN", client: gateway.client
            ) { _ in ["edge", "--config", gateway.routesPath, "--redis", gateway.redisURL] }
            defer { edge.send(SIGKILL) }
            let (worker, _) = try await SluiceBinary.startServer(
                "the worker", log: workerLog, environment: ["SLUICE_LOG_FORMAT": "text", "SLUICE_LOG_LEVEL": "error"],
                listenVariable: "SLUICE_METRICS_LISTEN", client: gateway.client
            ) { _ in ["worker", "--config", gateway.routesPath, "--redis", gateway.redisURL] }
            defer { worker.send(SIGKILL) }

            // Both answered /readyz on the address the variable gave (startServer waited for it).
            try await poll(until: {
                (try String(contentsOfFile: edgeLog, encoding: .utf8)).contains("edge listening")
            }, "the edge logs where it listens")
            let edgeLines = try String(contentsOfFile: edgeLog, encoding: .utf8).split(separator: "\n")
            let objects = edgeLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(!edgeLines.isEmpty && objects.count == edgeLines.count, "every line JSON: \(edgeLines)")
            #expect(objects.contains { $0["msg"] as? String == "edge starting" && $0["level"] as? String == "info" }, "\(edgeLines)")
            // At info the HTTP framework's own "Server started and listening" does not repeat it.
            #expect(!objects.contains { ($0["msg"] as? String ?? "").hasPrefix("Server started") }, "\(edgeLines)")
            let workerText = try String(contentsOfFile: workerLog, encoding: .utf8)
            #expect(!workerText.contains("worker starting"), "nothing below error at SLUICE_LOG_LEVEL=error: \(workerText)")
        }
    }

    /// SIGHUP reloads routes.yaml at once even when it has not changed (the 1 s poll reloads only
    /// a changed file, so the count moves for the signal alone), and the process goes on.
    @Test func sighupReloadsTheRoutesFileAndTheProcessGoesOn() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                var gateway = try GatewayProcesses(
                    redis: redis, routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: GatewayProcesses.everyEventToMain))
                defer { gateway.close() }
                let edge = try await gateway.startEdge()
                defer { edge.send(SIGKILL) }
                let (worker, metricsPort) = try await SluiceBinary.startServer(
                    "the worker", log: gateway.dir.file("worker.log"), client: gateway.client
                ) { port in ["worker", "--config", gateway.routesPath, "--redis", gateway.redisURL, "--metrics-listen", "127.0.0.1:\(port)"] }
                defer { worker.send(SIGKILL) }

                let client = gateway.client
                func reloads(_ port: Int) async throws -> String? {
                    let response = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/metrics", timeout: .seconds(5)))
                    let prefix = #"sluice_config_reloads_total{result="success"} "#
                    return String(decoding: response.body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
                }
                for port in [gateway.edgePort, metricsPort] {
                    #expect(try await reloads(port) == "0", "no reload before the signal")
                }
                edge.send(SIGHUP)
                worker.send(SIGHUP)
                for port in [gateway.edgePort, metricsPort] {
                    try await poll(until: { try await reloads(port) == "1" }, "a reload counted on port \(port)")
                }
                #expect(!edge.exit.hasExited && !worker.exit.hasExited, "SIGHUP does not stop either process")
                let id = try await gateway.post(type: "batch.succeeded")
                let delivered = try await sink.waitForRequests(count: 1, path: "/hook")
                #expect(delivered.first?.header("webhook-id") == id)
            }
        }
    }

    /// `--redis unix:///path`: the edge stores, the worker delivers and `sluice status` reads over
    /// a Unix socket, for a Redis beside the gateway on one host.
    @Test func edgeWorkerAndStatusUseARedisOnAUnixSocket() async throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-\(UUID().uuidString.prefix(8)).sock").path
        defer { try? FileManager.default.removeItem(atPath: socket) }
        try await withSink { sink in
            try await withRedis(serverArguments: ["--unixsocket", socket, "--unixsocketperm", "700"]) { redis in
                var gateway = try GatewayProcesses(
                    redis: redis, routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: GatewayProcesses.everyEventToMain))
                defer { gateway.close() }
                gateway.redisURL = "unix://\(socket)"
                let edge = try await gateway.startEdge()
                defer { edge.send(SIGKILL) }
                let worker = try await gateway.startWorker(name: "worker")
                defer { worker.send(SIGKILL) }

                let id = try await gateway.post(type: "batch.succeeded")
                let delivered = try await sink.waitForRequests(count: 1, path: "/hook")
                #expect(delivered.first?.header("webhook-id") == id)
                // The event went through the socket's server: the fixture's TCP client sees its key.
                let keys = try await redis.client.send(["KEYS", "*"]).array?.compactMap(\.string) ?? []
                #expect(keys.contains { $0.contains(id) }, "\(keys)")
                try await poll(until: {
                    let status = try await gateway.sluiceJSON(["status"])
                    return (status["deliveries"] as? [String: Any])?["pending"] as? Int == 0 && status["dlq_size"] as? Int == 0
                }, "sluice status over the socket: nothing pending")
                // The edge's and the worker's connections are on the socket.
                let clients = try await redis.client.send(["CLIENT", "LIST"]).string ?? ""
                let onSocket = clients.split(separator: "\n").filter { $0.contains("laddr=\(socket)") }
                #expect(onSocket.count >= 3, "\(clients)")
            }
        }
    }
}
