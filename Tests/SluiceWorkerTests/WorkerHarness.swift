import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceDelivery
import SluiceEdge
import SluiceRedis
import SluiceRuntime
import SluiceTesting
import SluiceWorker

/// A real edge and a real worker on 127.0.0.1 with a real redis-server behind them.
struct WorkerHarness: Sendable {
    /// The `gemini` source's HMAC secret (what the test signs inbound calls with).
    static let sourceSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    let redis: RedisFixture
    let edgePort: Int
    let metricsPort: Int
    let client: HTTPClient
    /// Partition 0's store (the only one unless routes.yaml sets `redis.partitions`).
    let store: WorkerStore
    /// Every partition's store, as the worker reads them.
    let stores: WorkerStores
    let routesPath: String
    let workerMetrics: @Sendable () -> String
    let edgeMetrics: @Sendable () -> String
    /// Starts the graceful shutdown of edge and worker (as SIGTERM would); the test goes on meanwhile.
    let beginShutdown: @Sendable () async -> Void

    /// A routes file: the `gemini` source, a network block, then the test's `tenants:` and `routes:`.
    static func routes(prefix: String, allowLoopback: Bool = true, _ tenantsAndRoutes: String) -> String {
        """
        version: 1
        redis: {prefix: \(prefix)}
        network: {allow_private: false, allow_cidrs: [\(allowLoopback ? "127.0.0.1/32" : "")]}
        sources:
          gemini:
            kind: standard-webhooks
            verify:
              hmac: {secrets: ["\(sourceSecret)"]}
              tolerance: 5m
            dedupe_window: 1h
        \(tenantsAndRoutes)
        """
    }

    /// Routes with one tenant `acme` and one endpoint `main` at `url` that receives every event;
    /// `settings` are further lines of the endpoint block (`timeout: 1s`, `retry: {…}`).
    static func acmeMain(prefix: String, url: String, _ settings: String = "") -> String {
        let endpointLines = ["url: \"\(url)\""] + settings.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        return routes(prefix: prefix, """
            tenants:
              acme:
                signing: {secrets: ["\(TenantSecrets.acme)"]}
                endpoints:
                  main:
            \(endpointLines.map { "        " + $0 }.joined(separator: "\n"))
            routes:
              - name: all
                match: {source: gemini}
                to: [acme/main]
            """)
    }

    /// Starts redis, writes the routes file, runs edge and worker, and stops everything after `body`.
    /// With `logs`, what edge and worker log at `info` and above goes there (else nothing is logged).
    static func with(
        routes makeRoutes: @escaping @Sendable (String) -> String,
        shutdownGrace: Duration = .milliseconds(500),
        overflowWait: Duration = .milliseconds(100),
        overflowResidency: Duration = .seconds(1),
        maxInFlight: Int = 1024,
        logs: LogCapture? = nil,
        _ body: (WorkerHarness) async throws -> Void
    ) async throws {
        try await withRedis { redis in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-worker-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let routesPath = dir.appendingPathComponent("routes.yaml").path
            try makeRoutes(redis.prefix).write(toFile: routesPath, atomically: true, encoding: .utf8)

            var logger = Logger(label: "sluice.test.worker")
            logger.logLevel = .critical
            if let logs { logger = logs.logger(label: "sluice.test.worker") }
            let source = RoutesFileSource(path: routesPath, environment: [:])
            let bytes = try source.readBytes()
            let loaded = try source.load(bytes: bytes)
            let httpClient = try HTTPClient()
            let redisClient = RedisClient(url: redis.url, logger: logger)
            let blockingClient = RedisClient(url: redis.url, logger: logger, commandTimeout: .seconds(30))
            let store = WorkerStore(client: redisClient, blockingClient: blockingClient, keyspace: Keyspace(prefix: redis.prefix))
            let stores = WorkerStores(url: redis.url, prefix: redis.prefix, count: loaded.config.redisPartitions, logger: logger)
            let workerExporter = PrometheusExporter()
            let edgeExporter = PrometheusExporter()
            let (ports, portContinuation) = AsyncStream<(String, Int)>.makeStream()
            let edge = EdgeServer(
                options: .init(host: "127.0.0.1", port: 0, reloadInterval: .milliseconds(100)),
                routesSource: source, routes: loaded, routesBytes: bytes,
                redis: redisClient, httpClient: httpClient, exporter: edgeExporter, logger: logger,
                onListening: { portContinuation.yield(("edge", $0)) })
            let worker = WorkerServer(
                options: .init(
                    metricsHost: "127.0.0.1", metricsPort: 0, consumerName: "test-worker",
                    reloadInterval: .milliseconds(100), shutdownGrace: shutdownGrace, maxInFlight: maxInFlight, statusInterval: .milliseconds(100),
                    overflowWait: overflowWait, overflowResidency: overflowResidency),
                routesSource: source, routes: loaded, routesBytes: bytes, stores: stores, httpClient: httpClient,
                exporter: workerExporter, logger: logger,
                onMetricsListening: { portContinuation.yield(("metrics", $0)) })
            let group = ServiceGroup(services: edge.services + worker.services, logger: logger)
            func stopClients() {
                redisClient.shutdown()
                blockingClient.shutdown()
                stores.shutdown()
                httpClient.shutdown()
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var bound: [String: Int] = [:]
                for await (name, port) in ports {
                    bound[name] = port
                    if bound.count == 2 { break }
                }
                guard let edgePort = bound["edge"], let metricsPort = bound["metrics"] else { throw HarnessDidNotStart() }
                let harness = WorkerHarness(
                    redis: redis, edgePort: edgePort, metricsPort: metricsPort, client: httpClient, store: store, stores: stores,
                    routesPath: routesPath, workerMetrics: { String(decoding: workerExporter.render(), as: UTF8.self) },
                    edgeMetrics: { String(decoding: edgeExporter.render(), as: UTF8.self) },
                    beginShutdown: { await group.triggerGracefulShutdown() })
                do {
                    try await body(harness)
                } catch {
                    await group.triggerGracefulShutdown()
                    try? await tasks.waitForAll()
                    stopClients()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                stopClients()
            }
        }
    }

    /// POSTs a correctly signed event to the edge and expects it accepted; returns its webhook-id.
    ///
    /// A 503 is retried for up to 15 s, as Gemini retries it: the edge refuses with 503 whenever
    /// it cannot confirm durability (a persistence check that failed under a loaded machine, say),
    /// and these tests are about what the worker does with accepted events. The edge's own tests
    /// assert its 503s. Each refusal is printed with its reason; a retry answered 200 (the event
    /// was stored after all) counts as accepted.
    @discardableResult
    func post(
        path: String = "/webhooks/gemini",
        id: String = "msg_\(UUID().uuidString)",
        body: String = #"{"type":"batch.succeeded","data":{"batch":"batches/1"}}"#
    ) async throws -> String {
        let bytes = Array(body.utf8)
        let timestamp = Int64(Date().timeIntervalSince1970)
        let signature = WebhookSigner.signatureHeader(
            for: SignedContent(id: id, timestamp: timestamp, body: bytes),
            secrets: [try WebhookSecret(parsing: Self.sourceSecret)], ed25519Keys: [])
        let request = HTTPRequest(
            url: "http://127.0.0.1:\(edgePort)\(path)",
            headers: [
                HTTPHeader(name: "content-type", value: "application/json"),
                HTTPHeader(name: "webhook-id", value: id),
                HTTPHeader(name: "webhook-timestamp", value: String(timestamp)),
                HTTPHeader(name: "webhook-signature", value: signature),
            ],
            body: bytes, timeout: .seconds(10))
        let deadline = ContinuousClock.now + .seconds(15)
        var refusals = 0
        while true {
            let response = try await client.execute(request)
            if response.status == 202 || (response.status == 200 && refusals > 0) { return id }
            let answer = String(decoding: response.body, as: UTF8.self)
            guard response.status == 503, ContinuousClock.now < deadline else {
                throw EdgeRefused(status: response.status, answer: answer, refusalsBefore: refusals)
            }
            refusals += 1
            print("WorkerHarness: the edge answered 503 to \(id) (\(answer)); retrying as a sender would")
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// GETs a path on the worker's metrics port.
    func getMetricsPort(_ path: String) async throws -> HTTPResponse {
        try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(metricsPort)\(path)", timeout: .seconds(5)))
    }

    /// Waits until at least `count` dead letters exist and returns them all.
    func waitForDeadLetters(count: Int, timeout: Duration = .seconds(30)) async throws -> [DeadLetterEntry] {
        var found: [DeadLetterEntry] = []
        try await poll(until: {
            found = try await store.deadLetters()
            return found.count >= count
        }, timeout: timeout, "\(count) dead letter(s)")
        return found
    }

    /// Rewrites routes.yaml and waits until the worker has applied it.
    func rewriteRoutes(_ text: String) async throws {
        let before = reloads()
        try text.write(toFile: routesPath, atomically: true, encoding: .utf8)
        try await poll(until: { reloads() > before }, "the worker reloads routes.yaml")
    }

    private func reloads() -> Int {
        let prefix = #"sluice_config_reloads_total{result="success"} "#
        guard let line = workerMetrics().split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return 0 }
        return Int(Double(line.dropFirst(prefix.count)) ?? 0)
    }
}

struct HarnessDidNotStart: Error {}

struct EdgeRefused: Error, CustomStringConvertible {
    let status: Int
    let answer: String
    let refusalsBefore: Int
    var description: String {
        "the edge answered \(status) instead of 202: \(answer)" + (refusalsBefore > 0 ? " (after \(refusalsBefore) 503s)" : "")
    }
}
