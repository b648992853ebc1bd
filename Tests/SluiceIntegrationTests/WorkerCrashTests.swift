import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// Crashes with real processes: nothing accepted is ever lost.
@Suite struct WorkerCrashTests {
    static let secret = GatewayProcesses.sourceSecret

    static func routes(prefix: String, sinkURL: String, visibility: String = "auto") -> String {
        GatewayProcesses.routes(
            prefix: prefix, sinkURL: sinkURL, timeout: "1s",
            endpoint: """
                max_in_flight: 8
                retry: {schedule: [0s, 200ms, 200ms, 200ms, 200ms, 200ms], jitter: 0%}
                """,
            routes: """
                  - name: all
                    to: [acme/main]
                """,
            trailer: "worker: {visibility_timeout: \(visibility)}")
    }

    /// Sends `count` signed events to the edge; returns the ids answered 202.
    static func send(_ count: Int, tag: String, edgePort: Int, client: HTTPClient) async throws -> [String] {
        var accepted: [String] = []
        let key = try WebhookSecret(parsing: secret)
        for i in 0..<count {
            let id = "msg_\(tag)_\(i)"
            let now = Int64(Date().timeIntervalSince1970)
            let body = Array(#"{"type":"batch.succeeded","n":\#(i)}"#.utf8)
            let signature = WebhookSigner.signatureHeader(for: SignedContent(id: id, timestamp: now, body: body), secrets: [key])
            let response = try await client.execute(HTTPRequest(
                url: "http://127.0.0.1:\(edgePort)/webhooks/gemini",
                headers: [.init(name: "webhook-id", value: id), .init(name: "webhook-timestamp", value: String(now)), .init(name: "webhook-signature", value: signature)],
                body: body, timeout: .seconds(10)))
            if response.status == 202 { accepted.append(id) }
        }
        return accepted
    }

    @Test func workerKilledMidDeliveryLosesNothing() async throws {
        try await withSink { sink in
            // Slow answers keep deliveries in flight when the worker dies.
            await sink.setFallback(SinkResponse(status: 200, delay: .milliseconds(300)))
            try await withRedis(appendOnly: true) { redis in
                var gateway = try GatewayProcesses(
                    redis: redis, routes: Self.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), visibility: "8s"))
                defer { gateway.close() }
                let edge = try await gateway.startEdge()
                defer { edge.send(SIGKILL) }

                let accepted = try await Self.send(60, tag: "kill", edgePort: gateway.edgePort, client: gateway.client)
                #expect(accepted.count == 60)

                let first = try await gateway.startWorker(name: "worker1")
                try await poll(until: { await sink.requests.count >= 5 }, "the first worker delivers some")
                first.send(SIGKILL)
                await first.exit.wait()

                let second = try await gateway.startWorker(name: "worker2")
                defer { second.send(SIGKILL) }
                try await poll(
                    until: { Set(await sink.requests.compactMap { $0.header("webhook-id") }).count == 60 },
                    timeout: .seconds(60), "every accepted event is delivered after the crash")
                let delivered = Set(await sink.requests.compactMap { $0.header("webhook-id") })
                #expect(delivered == Set(accepted))
            }
        }
    }

    @Test func redisRestartedWithAOFBetweenIngestAndDeliveryLosesNothing() async throws {
        try await withSink { sink in
            try await withRedis(appendOnly: true, appendFsync: "always") { redis in
                var gateway = try GatewayProcesses(redis: redis, routes: Self.routes(prefix: redis.prefix, sinkURL: sink.url("/hook")))
                defer { gateway.close() }
                let edge = try await gateway.startEdge()
                defer { edge.send(SIGKILL) }

                let accepted = try await Self.send(30, tag: "aof", edgePort: gateway.edgePort, client: gateway.client)
                #expect(accepted.count == 30)
                await redis.server.kill()
                try await redis.server.restart()

                let worker = try await gateway.startWorker(name: "worker")
                defer { worker.send(SIGKILL) }
                try await poll(
                    until: { Set(await sink.requests.compactMap { $0.header("webhook-id") }).count == 30 },
                    timeout: .seconds(30), "every event accepted before the restart is delivered")
                #expect(Set(await sink.requests.compactMap { $0.header("webhook-id") }) == Set(accepted))
            }
        }
    }
}
