import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceDelivery
import SluiceEdge
import SluiceRedis
import SluiceRuntime
import SluiceTesting
import Synchronization

/// A real edge on 127.0.0.1 with a real redis-server behind it, and a curl client to call it.
struct EdgeHarness: Sendable {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    /// The `verify.jwks.audience` of the harness's JWKS source; its JWTs must carry it as `aud`.
    static let audience = "https://sluice.test/webhooks/gemini"

    let redis: RedisFixture
    let port: Int
    let client: HTTPClient
    let routesPath: String
    let exporterText: @Sendable () -> String
    /// What the edge logged at warning level and above.
    let logs: LogCapture

    func logText() -> String { logs.text }

    var base: String { "http://127.0.0.1:\(port)" }
    var keyspace: Keyspace { redis.keyspace }

    /// The default routes file: one `gemini` source signed with `secret`, no JWKS.
    static func routes(prefix: String, extraSources: String = "", jwksURL: String? = nil, maxBody: String = "1KiB") -> String {
        let jwks = "\n      jwks: {url: \"\(jwksURL ?? "http://127.0.0.1:9/unused")\", audience: \"\(audience)\"}"
        return """
            version: 1
            redis: {prefix: \(prefix)}
            sources:
              gemini:
                kind: standard-webhooks
                verify:
                  hmac: {secrets: ["\(secret)"]}\(jwksURL == nil ? "" : jwks)
                  tolerance: 5m
                max_body: \(maxBody)
                dedupe_window: 1h
            \(extraSources)
            tenants:
              acme:
                signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
                endpoints:
                  main: {url: "http://127.0.0.1:9/hook"}
            routes:
              - name: all
                match: {source: gemini}
                to: [acme/main]
            """
    }

    /// Starts redis, writes `routes` (given the unique prefix) to a file, runs an edge, and stops everything after `body`.
    static func with(
        routes makeRoutes: RoutesTemplate = RoutesTemplate { routes(prefix: $0) },
        redisAppendOnly: Bool = true,
        clock: TestClock = TestClock(),
        idleTimeout: Duration = .seconds(60),
        redisCommandTimeout: Duration = .seconds(10),
        redisReconnectBackoff: Duration = .milliseconds(100),
        _ body: (EdgeHarness) async throws -> Void
    ) async throws {
        try await withRedis(appendOnly: redisAppendOnly) { redis in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-edge-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let routesPath = dir.appendingPathComponent("routes.yaml").path
            try makeRoutes.render(redis.prefix).write(toFile: routesPath, atomically: true, encoding: .utf8)

            let logs = LogCapture()
            let logger = logs.logger(label: "sluice.test.edge", level: .warning)
            let source = RoutesFileSource(path: routesPath, environment: [:])
            let bytes = try source.readBytes()
            let loaded = try source.load(bytes: bytes)
            let httpClient = try HTTPClient()
            let edgeRedis = RedisClient(url: redis.url, logger: logger)
            let exporter = PrometheusExporter()
            let (ports, portContinuation) = AsyncStream<Int>.makeStream()
            let edge = EdgeServer(
                options: .init(
                    host: "127.0.0.1", port: 0, reloadInterval: .milliseconds(100), idleTimeout: idleTimeout,
                    redisCommandTimeout: redisCommandTimeout, redisReconnectBackoff: redisReconnectBackoff,
                    redisMaximumBackoff: max(redisReconnectBackoff, .seconds(2))),
                routesSource: source, routes: loaded, routesBytes: bytes,
                redis: edgeRedis, httpClient: httpClient, exporter: exporter, logger: logger,
                clock: { clock.now },
                onListening: { port in portContinuation.yield(port) })
            let group = ServiceGroup(services: edge.services, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw EdgeDidNotStart() }
                let harness = EdgeHarness(
                    redis: redis, port: port, client: httpClient, routesPath: routesPath,
                    exporterText: { String(decoding: exporter.render(), as: UTF8.self) }, logs: logs)
                do {
                    // The durability gate opens only after the edge's first check of Redis; a call
                    // before it would be refused 503 `durability_unmet` (a start-up race, seen under load).
                    try await poll(
                        until: {
                            let ready = try await harness.get("/readyz")
                            return !String(decoding: ready.body, as: UTF8.self).contains("have not been checked yet")
                        }, "the edge's first check of Redis's durability")
                    try await body(harness)
                } catch {
                    await group.triggerGracefulShutdown()
                    try? await tasks.waitForAll()
                    edgeRedis.shutdown()
                    httpClient.shutdown()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                edgeRedis.shutdown()
                httpClient.shutdown()
            }
        }
    }

    /// POSTs a correctly signed event (unless `signature` overrides the header).
    func post(
        path: String = "/webhooks/gemini",
        id: String = "msg_\(UUID().uuidString)",
        timestamp: Int64 = Int64(Date().timeIntervalSince1970),
        body: String = #"{"type":"batch.succeeded","data":{"batch":"batches/1"}}"#,
        secret: String = EdgeHarness.secret,
        signature: String? = nil,
        omit: Set<String> = [],
        method: String = "POST"
    ) async throws -> HTTPResponse {
        let bytes = Array(body.utf8)
        let key = try WebhookSecret(parsing: secret)
        let signed = signature ?? WebhookSigner.signatureHeader(
            for: SignedContent(id: id, timestamp: timestamp, body: bytes), secrets: [key], ed25519Keys: [])
        var headers = [HTTPHeader(name: "content-type", value: "application/json")]
        if !omit.contains("webhook-id") { headers.append(HTTPHeader(name: "webhook-id", value: id)) }
        if !omit.contains("webhook-timestamp") { headers.append(HTTPHeader(name: "webhook-timestamp", value: String(timestamp))) }
        if !omit.contains("webhook-signature") { headers.append(HTTPHeader(name: "webhook-signature", value: signed)) }
        return try await send(method: method, path: path, headers: headers, body: bytes)
    }

    /// The bytes of a signed webhook call, for raw-socket tests.
    func rawWebhook(
        path: String = "/webhooks/gemini", id: String = "msg_\(UUID().uuidString)",
        body: String = #"{"type":"batch.succeeded"}"#, extraHeaders: String = ""
    ) throws -> [UInt8] {
        let bytes = Array(body.utf8)
        let timestamp = Int64(Date().timeIntervalSince1970)
        let signature = WebhookSigner.signatureHeader(
            for: SignedContent(id: id, timestamp: timestamp, body: bytes), secrets: [try WebhookSecret(parsing: Self.secret)])
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\n"
            + "webhook-id: \(id)\r\nwebhook-timestamp: \(timestamp)\r\nwebhook-signature: \(signature)\r\n\(extraHeaders)\r\n"
        return Array(head.utf8) + bytes
    }

    func send(method: String = "POST", path: String, headers: [HTTPHeader] = [], body: [UInt8] = []) async throws -> HTTPResponse {
        try await client.execute(HTTPRequest(method: method, url: base + path, headers: headers, body: body, timeout: .seconds(10)))
    }

    func get(_ path: String) async throws -> HTTPResponse {
        try await send(method: "GET", path: path)
    }

    /// Entries on the ingress stream.
    func ingressLength() async throws -> Int64 {
        try await redis.client.send(["XLEN", RedisArgument(keyspace.ingress)]).int ?? -1
    }

    /// The events on the ingress stream, decoded.
    func ingressEvents() async throws -> [IngressEvent] {
        let reply = try await redis.client.send(["XRANGE", RedisArgument(keyspace.ingress), "-", "+"])
        return (reply.array ?? []).compactMap { entry in
            guard let parts = entry.array, parts.count == 2, let fields = parts[1].array else { return nil }
            return IngressEvent.decode(fields: fields)
        }
    }
}

struct EdgeDidNotStart: Error {}

/// Builds the routes file for a test from its unique Redis prefix.
struct RoutesTemplate: Sendable {
    let render: @Sendable (String) -> String
    init(_ render: @escaping @Sendable (String) -> String) { self.render = render }
}

/// The edge's wall clock in tests: real time plus an offset a test can move forward.
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    var unixSeconds: Int64 { Int64(now.timeIntervalSince1970) }

    func advance(by seconds: TimeInterval) {
        offset.withLock { $0 += seconds }
    }
}

extension HTTPResponse {
    /// The JSON body as a dictionary (empty when not a JSON object).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}
