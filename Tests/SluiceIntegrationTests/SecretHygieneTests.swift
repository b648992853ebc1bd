import Foundation
import SluiceTesting
import Testing

/// Secrets stay out of the logs at every level: an operator turns on debug logging while
/// troubleshooting, and those logs go to a shared pipeline.
@Suite struct SecretHygieneTests {
    @Test func debugLogsOfTheEdgeAndTheWorkerHoldNoSecret() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                let sourceSecret = GatewayProcesses.sourceSecret
                let tenantSecret = GatewayProcesses.tenantSecret
                let scratch = try ScratchDirectory()
                defer { scratch.remove() }
                let secretFile = try scratch.write("tenant-secret", tenantSecret)
                // The source's secret from the environment, the tenant's from a file.
                let routes = GatewayProcesses.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: GatewayProcesses.everyEventToMain)
                    .replacingOccurrences(of: sourceSecret, with: "${env:SOURCE_WHSEC}")
                    .replacingOccurrences(of: tenantSecret, with: "${file:\(secretFile)}")
                var gateway = try GatewayProcesses(redis: redis, routes: routes)
                defer { gateway.close() }
                let environment = ["SOURCE_WHSEC": sourceSecret]
                let edge = try await gateway.startEdge(["--log-level", "debug"], environment: environment)
                defer { edge.send(SIGKILL) }
                let worker = try await gateway.startWorker(name: "worker", ["--log-level", "debug"], environment: environment)
                defer { worker.send(SIGKILL) }

                try await gateway.post(type: "batch.succeeded")
                _ = try await sink.waitForRequests(count: 1, path: "/hook")
                // Stopping logs each service again.
                edge.send(SIGTERM)
                worker.send(SIGTERM)
                #expect(await edge.exit.wait(timeout: .seconds(30)))
                #expect(await worker.exit.wait(timeout: .seconds(30)))

                for name in ["edge.log", "worker.log"] {
                    let log = try String(contentsOfFile: gateway.dir.file(name), encoding: .utf8)
                    #expect(log.contains("debug"), "\(name) was written at debug level: \(log.prefix(2000))")
                    for secret in [sourceSecret, tenantSecret] {
                        let key = String(secret.dropFirst("whsec_".count))
                        #expect(!log.contains(key), "\(name) holds a secret: \(log)")
                        // The same bytes as a printed [UInt8]: "whsec_" is 119, 104, 115, 101, 99, 95.
                        #expect(!log.contains(Array(secret.utf8).prefix(8).map(String.init).joined(separator: ", ")), "\(name) holds a secret's bytes: \(log)")
                    }
                }
            }
        }
    }
}
