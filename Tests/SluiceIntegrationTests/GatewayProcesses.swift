import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// Edge and worker as real `sluice` child processes against one redis-server, for operator-level tests.
struct GatewayProcesses {
    static let sourceSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let tenantSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
    /// `routes` for `routes(…)` that sends every event to acme/main.
    static let everyEventToMain = "  - name: all\n    to: [acme/main]"

    let redis: RedisFixture
    let dir: ScratchDirectory
    let routesPath: String
    let client: HTTPClient
    private(set) var edgePort = 0
    /// What the processes are given as `--redis` (the fixture's TCP URL unless a test says otherwise).
    var redisURL: String

    /// The keyspace the routes file names (`redis.prefix` is the fixture's prefix).
    var store: WorkerStore { WorkerStore(client: redis.client, blockingClient: redis.client, keyspace: redis.keyspace) }

    /// A routes file: the `gemini` source, tenant `acme` with endpoint `main` at `sinkURL`, then `routes`.
    /// `endpoint` replaces the endpoint's settings after its url; `moreEndpoints` adds acme's other
    /// endpoints (`name: {…}` lines); `trailer` is appended (a `worker:` block).
    static func routes(
        prefix: String, sinkURL: String, timeout: String = "5s",
        endpoint: String = "retry: {schedule: [0s, 100ms, 100ms], jitter: 0%}", moreEndpoints: [String] = [], routes: String, trailer: String = ""
    ) -> String {
        """
        version: 1
        redis: {prefix: \(prefix)}
        network: {allow_cidrs: [127.0.0.1/32]}
        sources:
          gemini:
            kind: standard-webhooks
            verify:
              hmac: {secrets: ["\(sourceSecret)"]}
        tenants:
          acme:
            signing: {secrets: ["\(tenantSecret)"]}
            endpoints:
              main:
                url: "\(sinkURL)"
                timeout: \(timeout)
        \(endpoint.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
        \(moreEndpoints.map { "      " + $0 }.joined(separator: "\n"))
        routes:
        \(routes)
        \(trailer)
        """
    }

    init(redis: RedisFixture, routes: String) throws {
        self.redis = redis
        redisURL = "\(redis.url)"
        dir = try ScratchDirectory()
        routesPath = try dir.write("routes.yaml", routes)
        client = try HTTPClient()
    }

    func close() {
        client.shutdown()
        dir.remove()
    }

    /// Runs `body` with an edge and a worker (named `worker`) over `redis` and `routes`, as real
    /// processes; both are killed and the scratch directory removed afterwards, whatever `body`
    /// does.
    static func withEdgeAndWorker(redis: RedisFixture, routes: String, _ body: (GatewayProcesses) async throws -> Void) async throws {
        var gateway = try GatewayProcesses(redis: redis, routes: routes)
        defer { gateway.close() }
        let edge = try await gateway.startEdge()
        defer { edge.send(SIGKILL) }
        let worker = try await gateway.startWorker(name: "worker")
        defer { worker.send(SIGKILL) }
        try await body(gateway)
    }

    /// Starts `sluice edge ARGS…` with `environment` added and waits until it is ready; `openFiles`
    /// caps its descriptors.
    mutating func startEdge(_ arguments: [String] = [], environment: [String: String] = [:], openFiles: Int? = nil) async throws -> ChildProcess {
        let (edge, port) = try await SluiceBinary.startServer(
            "the edge", log: dir.file("edge.log"), environment: environment, openFiles: openFiles, client: client
        ) { port in
            ["edge", "--config", routesPath, "--redis", redisURL, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"]
                + arguments
        }
        edgePort = port
        return edge
    }

    /// Starts `sluice worker ARGS…` and waits until its /readyz answers 200.
    /// `hostsFile` replaces /etc/hosts for this worker alone (a mount namespace of its own).
    func startWorker(name: String, _ arguments: [String] = [], environment: [String: String] = [:], hostsFile: String? = nil) async throws -> ChildProcess {
        try await SluiceBinary.startServer(
            "worker \(name)", log: dir.file("\(name).log"), environment: environment, hostsFile: hostsFile, client: client
        ) { port in
            ["worker", "--config", routesPath, "--redis", redisURL, "--metrics-listen", "127.0.0.1:\(port)", "--log-level", "warning"]
                + arguments
        }.process
    }

    /// POSTs a signed event of `type` to the edge and expects 202; returns its webhook-id.
    @discardableResult
    func post(type: String, id: String = "msg_\(UUID().uuidString)") async throws -> String {
        try await post(body: #"{"type":"\#(type)","data":{}}"#, id: id)
    }

    /// POSTs `body`, signed, to the edge and expects 202; returns its webhook-id.
    @discardableResult
    func post(body text: String, id: String = "msg_\(UUID().uuidString)", path: String = "/webhooks/gemini") async throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let body = Array(text.utf8)
        let signature = WebhookSigner.signatureHeader(
            for: SignedContent(id: id, timestamp: now, body: body), secrets: [try WebhookSecret(parsing: Self.sourceSecret)])
        let response = try await client.execute(HTTPRequest(
            url: "http://127.0.0.1:\(edgePort)\(path)",
            headers: [
                .init(name: "content-type", value: "application/json"), .init(name: "webhook-id", value: id),
                .init(name: "webhook-timestamp", value: String(now)), .init(name: "webhook-signature", value: signature),
            ],
            body: body, timeout: .seconds(10)))
        try #require(response.status == 202, "the edge accepted \(id)")
        return id
    }

    /// Runs an operator command (`--config` and `--redis` added) and expects exit 0; returns its output.
    func sluice(_ arguments: [String]) async throws -> String {
        let result = try await SluiceBinary.run(arguments + ["--config", routesPath, "--redis", redisURL])
        try #require(result.status == 0, "sluice \(arguments.joined(separator: " ")) exited \(result.status): \(result.output)")
        return result.output
    }

    /// Runs an operator command with `--json` and parses each output line as one JSON object.
    func sluiceJSONLines(_ arguments: [String]) async throws -> [[String: Any]] {
        let output = try await sluice(arguments + ["--json"])
        return try output.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "a JSON object per line: \(line)")
        }
    }

    /// Runs an operator command with `--json` and parses its whole output as one JSON object.
    func sluiceJSON(_ arguments: [String]) async throws -> [String: Any] {
        let output = try await sluice(arguments + ["--json"])
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
        return try #require(object as? [String: Any], "one JSON object: \(output)")
    }
}

