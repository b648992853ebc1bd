import Foundation
import Logging
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// `sluice dev` as a newcomer meets it: a private redis-server, a banner that says what to run,
/// and nothing left behind after Ctrl-C.
@Suite struct DevCommandTests {
    @Test func devBannerIsPrintedWhileRunningItsSendTestLineWorksAndSIGINTLeavesNothingBehind() async throws {
        try await withSink { sink in
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            let routes = try dir.write("routes.yaml", GatewayProcesses.routes(
                prefix: "sluice", sinkURL: sink.url("/hook"), routes: GatewayProcesses.everyEventToMain))
            let client = try HTTPClient()
            defer { client.shutdown() }
            let log = dir.file("dev.log")
            // No SLUICE_REDIS_URL, so dev starts its own redis-server. A fresh metrics port with
            // each start, as startServer starts again when a port was taken.
            // A job of its own, as in a terminal, so that Ctrl-C can be sent to its whole group.
            let (dev, _) = try await SluiceBinary.startServer(
                "sluice dev", log: log, unsetting: ["SLUICE_REDIS_URL"], ownProcessGroup: true, client: client
            ) { port in
                ["dev", "--config", routes, "--listen", "127.0.0.1:\(port)", "--metrics-listen", "127.0.0.1:\(FreePort.pick() ?? 0)", "--log-level", "warning"]
            }
            // SIGINT, not SIGKILL, when the test ends early: dev then stops its own redis-server,
            // which a killed dev would leave running.
            defer { dev.send(SIGINT) }

            // stdout is a file here, not a terminal: the banner must arrive while dev runs, not at exit.
            var banner = ""
            try await poll(until: {
                banner = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                return banner.contains("Stop with Ctrl-C.")
            }, "the banner is in dev's output while it runs")
            // The last banner: an earlier start that lost its port may have printed one too.
            let lines = banner.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let sendTest = try #require(lines.last { $0.hasPrefix("sluice send-test ") }, "\(banner)")
            let status = try #require(lines.last { $0.hasPrefix("sluice status ") }, "\(banner)")
            let redisLine = try #require(lines.last { $0.hasPrefix("redis:") }, "\(banner)")
            let redisURL = try #require(redisLine.split(separator: " ").first { $0.hasPrefix("redis://") }.map(String.init))
            let dataDirectory = try #require(
                redisLine.components(separatedBy: "data in ").last?.components(separatedBy: ";").first, "\(redisLine)")
            #expect(FileManager.default.fileExists(atPath: dataDirectory))

            // The banner's lines, pasted into a shell as printed, work against this dev.
            let sent = try await SluiceBinary.runShell(sendTest, environment: ["GEMINI_WEBHOOK_SECRET": GatewayProcesses.sourceSecret])
            #expect(sent.status == 0, "\(sendTest): \(sent.output)")
            #expect(sent.output.contains("← 202"), "\(sent.output)")
            _ = try await sink.waitForRequests(count: 1, path: "/hook")
            let shown = try await SluiceBinary.runShell(status)
            #expect(shown.status == 0 && shown.output.contains("acme/main"), "\(status): \(shown.output)")

            // Ctrl-C reaches the terminal's whole foreground group: dev's own redis-server must not
            // be in it, or it stops while the gateway still reads from it (errors in the log).
            kill(-dev.pid, SIGINT)
            #expect(await dev.exit.wait(timeout: .seconds(30)), "dev stops on Ctrl-C")
            #expect(dev.exit.status == 0)
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(!output.contains("lost the connection to Redis") && !output.contains("\"level\":\"error\"") && !output.contains(" error "),
                "a clean shutdown logs no error: \(output)")
            // dev waits for its redis-server before exiting: nothing answers there any more.
            let probe = RedisClient(
                url: try RedisURL(redisURL), logger: testLogger, connectTimeout: .milliseconds(500), commandTimeout: .seconds(1),
                reconnectBackoff: .zero)
            defer { probe.shutdown() }
            await #expect(throws: RedisError.self) { try await probe.ping() }
            #expect(!FileManager.default.fileExists(atPath: dataDirectory), "the private Redis's temp dir is removed")
        }
    }

    /// The edge and the worker of `sluice dev` share one reloader: an edit reaches both and is
    /// counted once, as it would be by a separate edge or worker process.
    @Test func devAppliesAnEditedRoutesFileToTheEdgeAndTheWorkerAndCountsItOnce() async throws {
        try await withSink { sink in
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            let first = GatewayProcesses.routes(
                prefix: "sluice", sinkURL: sink.url("/hook"), routes: GatewayProcesses.everyEventToMain)
            let routes = try dir.write("routes.yaml", first)
            let client = try HTTPClient()
            defer { client.shutdown() }
            let (dev, port) = try await SluiceBinary.startServer(
                "sluice dev", log: dir.file("dev.log"), unsetting: ["SLUICE_REDIS_URL"], ownProcessGroup: true, client: client
            ) { port in
                ["dev", "--config", routes, "--listen", "127.0.0.1:\(port)", "--metrics-listen", "127.0.0.1:\(FreePort.pick() ?? 0)", "--log-level", "warning"]
            }
            defer { dev.send(SIGINT) }

            // The source's secret changes (the edge's part) and the endpoint moves (the worker's).
            let newSecret = GatewayProcesses.tenantSecret
            _ = try dir.write("routes.yaml", first
                .replacingOccurrences(of: GatewayProcesses.sourceSecret, with: newSecret)
                .replacingOccurrences(of: sink.url("/hook"), with: sink.url("/moved")))
            let sendTest = "sluice send-test --url http://127.0.0.1:\(port)/webhooks/gemini --secret '\(newSecret)'"
            try await poll(until: {
                (try await SluiceBinary.runShell(sendTest)).output.contains("← 202")
            }, "the edge verifies with the edited source secret")
            _ = try await sink.waitForRequests(count: 1, path: "/moved")

            let response = try await client.execute(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/metrics", timeout: .seconds(5)))
            let metrics = String(decoding: response.body, as: UTF8.self)
            #expect(metrics.contains(#"sluice_config_reloads_total{result="success"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"sluice_config_reloads_total{result="failure"} 0"#), "\(metrics)")

            kill(-dev.pid, SIGINT)
            #expect(await dev.exit.wait(timeout: .seconds(30)), "dev stops on Ctrl-C")
        }
    }

    @Test func devWithoutRedisServerOnPathExits1NamingTheDebianPackage() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let routes = try dir.write("routes.yaml", GatewayProcesses.routes(prefix: "sluice", sinkURL: "http://127.0.0.1:9/hook", routes: GatewayProcesses.everyEventToMain))
        let result = try await SluiceBinary.run(
            ["dev", "--config", routes, "--listen", "127.0.0.1:0"], environment: ["PATH": dir.url.path], unsetting: ["SLUICE_REDIS_URL"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("redis-server was not found on PATH"), "\(result.output)")
        #expect(result.output.contains("apt-get install redis-server"), "\(result.output)")
        #expect(result.output.contains("--redis"), "says how to do without: \(result.output)")
    }
}
