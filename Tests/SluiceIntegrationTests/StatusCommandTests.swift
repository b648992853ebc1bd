import Foundation
import SluiceRedis
import SluiceTesting
import Testing

/// `sluice status` against a real Redis and worker: each endpoint's state, and `--watch` output
/// that a script reading a pipe sees as it happens.
@Suite struct StatusCommandTests {
    @Test func eachEndpointShowsOkCircuitOpenHalfOpenOrPausedByItsRateLimit() async throws {
        try await withSink { sink in
            await sink.respond(to: "/down", with: .status(500))
            await sink.respond(to: "/flaky", with: .status(500))
            try await withRedis { redis in
                let routes = GatewayProcesses.routes(
                    prefix: redis.prefix, sinkURL: sink.url("/ok"),
                    moreEndpoints: [
                        // Opens on its first failure and stays open for an hour.
                        #"down: {url: "\#(sink.url("/down"))", retry: {schedule: [0s, 1h], jitter: 0%}, circuit_breaker: {failures: 1, cooldown: 1h}}"#,
                        // Opens on its first failure; a single attempt each, so after the cooldown nothing is left to probe with.
                        #"flaky: {url: "\#(sink.url("/flaky"))", retry: {schedule: [0s], jitter: 0%}, circuit_breaker: {failures: 1, cooldown: 200ms}}"#,
                        // One token an hour: the first delivery takes it, the second is parked.
                        #"limited: {url: "\#(sink.url("/limited"))", rate_limit: 1/h}"#,
                    ],
                    routes: "  - name: all\n    to: [\"acme/*\"]")
                try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: routes) { gateway in
                    try await gateway.post(type: "batch.succeeded")
                    try await gateway.post(type: "batch.succeeded")

                    var states: [String: [String: Any]] = [:]
                    try await poll(until: {
                        let endpoints = try await gateway.sluiceJSON(["status"])["endpoints"] as? [[String: Any]] ?? []
                        states = Dictionary(uniqueKeysWithValues: endpoints.map { ($0["endpoint"] as? String ?? "", $0) })
                        return states["acme/main"]?["state"] as? String == "ok" && states["acme/down"]?["state"] as? String == "circuit_open"
                            && states["acme/flaky"]?["state"] as? String == "half_open" && states["acme/limited"]?["state"] as? String == "paused"
                    }, "the four endpoint states are reported: \(states)")
                    #expect(states.count == 4)
                    #expect((states["acme/down"]?["workers"] as? [String])?.count == 1)
                    #expect(states["acme/down"]?["probe_at"] is String)
                    #expect(states["acme/limited"]?["reason"] as? String == "rate_limited")
                    #expect(states["acme/limited"]?["until"] is String)
                    #expect(states.values.allSatisfy { $0["configured"] as? Bool == true })
                    #expect(await sink.requests(to: "/limited").count == 1, "the rate limit held the second delivery back")

                    let text = try await gateway.sluice(["status"])
                    let rows = Dictionary(uniqueKeysWithValues: text.split(separator: "\n").compactMap { line -> (String, String)? in
                        guard line.hasPrefix("acme/") else { return nil }
                        return (String(line.prefix { $0 != " " }), String(line))
                    })
                    #expect(rows["acme/main"]?.contains(" ok ") == true, "\(text)")
                    #expect(rows["acme/down"]?.contains(" circuit open ") == true, "\(text)")
                    #expect(rows["acme/flaky"]?.contains(" half-open (probing) ") == true, "\(text)")
                    #expect(rows["acme/limited"]?.contains(" paused (rate limited) ") == true, "\(text)")
                }
            }
        }
    }

    @Test func watchWritesEachRefreshIntoAPipeAsItHappens() async throws {
        try await withRedis { redis in
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            let routes = try dir.write("routes.yaml", GatewayProcesses.routes(
                prefix: redis.prefix, sinkURL: "http://127.0.0.1:9/hook", routes: GatewayProcesses.everyEventToMain))
            let common = ["--config", routes, "--redis", "\(redis.url)"]

            // --json: one JSON document per line and per refresh (JSON Lines), each with its time.
            let jsonLog = dir.file("watch.jsonl")
            let json = try SluiceBinary.start(["status", "--watch", "0.2", "--json"] + common, log: jsonLog)
            defer { json.send(SIGKILL) }
            var documents: [[String: Any]] = []
            var firstSeen = 0
            try await poll(until: {
                let text = (try? String(contentsOfFile: jsonLog, encoding: .utf8)) ?? ""
                if firstSeen == 0 { firstSeen = text.utf8.count }
                documents = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                return documents.count >= 2
            }, "two refreshes reach the file while status --watch runs")
            // Unflushed, stdio would hand the file whole 4 KiB blocks, many refreshes at once and late.
            #expect(firstSeen < 4096, "output arrives refresh by refresh (first read: \(firstSeen) bytes)")
            #expect(!json.exit.hasExited)
            #expect(Set(documents.compactMap { $0["at"] as? String }).count == documents.count, "each refresh has its own time")
            #expect(documents.allSatisfy { ($0["endpoints"] as? [[String: Any]])?.first?["state"] as? String == "ok" })

            // Text into a pipe: no screen clearing, a time line before each refresh.
            let textLog = dir.file("watch.txt")
            let text = try SluiceBinary.start(["status", "--watch", "0.2"] + common, log: textLog)
            defer { text.send(SIGKILL) }
            var output = ""
            try await poll(until: {
                output = (try? String(contentsOfFile: textLog, encoding: .utf8)) ?? ""
                return output.components(separatedBy: "sluice status at ").count > 2
            }, "two text refreshes reach the file")
            #expect(!output.contains("\u{1B}["), "no escape sequences when stdout is not a terminal: \(output)")
            #expect(output.contains("acme/main"))

            // Ctrl-C ends a watch (SIGINT's default action: there is nothing to clean up).
            json.send(SIGINT)
            text.send(SIGINT)
            #expect(await json.exit.wait(timeout: .seconds(10)))
            #expect(await text.exit.wait(timeout: .seconds(10)))
        }
    }
}
