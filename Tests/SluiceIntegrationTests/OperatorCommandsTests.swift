import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// `sluice dlq list|replay|purge`, `events show` and `status` against a real edge and worker.
@Suite struct OperatorCommandsTests {
    static let batchRoute = """
          - name: batches
            match: {source: gemini, events: ["batch.*"]}
            to: [acme/main]
        """
    static let videoRoute = """
          - name: videos
            match: {source: gemini, events: ["video.*"]}
            to: [acme/main]
        """

    /// Replaying dead letters of an endpoint the routes file no longer names warns that workers
    /// with those routes will dead-letter them again (`endpoint_removed`), rather than only
    /// reporting them replayed.
    @Test func replayingToAnEndpointTheRoutesNoLongerNameWarns() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hook") { _ in .status(500) }
            try await withRedis { redis in
                let routes = GatewayProcesses.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: Self.batchRoute)
                try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: routes) { gateway in
                    _ = try await gateway.post(type: "batch.succeeded")
                    try await poll(until: { try await gateway.sluiceJSONLines(["dlq", "list"]).count == 1 }, "the dead letter")
                    // The operator's copy of the routes, without acme/main (the workers' file is unchanged).
                    let edited = try gateway.dir.write(
                        "edited.yaml", routes.replacingOccurrences(of: "to: [acme/main]", with: "to: [acme/other]")
                            .replacingOccurrences(of: "    main:", with: "    other:"))
                    let result = try await SluiceBinary.run(["dlq", "replay", "--all", "--config", edited, "--redis", "\(redis.url)"])
                    #expect(result.status == 0, "\(result.output)")
                    #expect(result.output.contains("warning: some replayed deliveries go to endpoints \(edited) does not name (acme/main)"), "\(result.output)")
                }
            }
        }
    }

    /// The table cuts a long error at a word and says where the whole one is; an `--id` that
    /// names no dead letter is said to on stderr (the command still succeeds: replay and purge
    /// are idempotent per id).
    @Test func aLongErrorIsCutAtAWordAndAnUnknownIDIsNamed() async throws {
        let closed = try #require(FreePort.pick())
        try await withRedis { redis in
            let routes = GatewayProcesses.routes(prefix: redis.prefix, sinkURL: "http://127.0.0.1:\(closed)/hook", routes: Self.batchRoute)
            try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: routes) { gateway in
                _ = try await gateway.post(type: "batch.succeeded")
                var lines: [[String: Any]] = []
                try await poll(until: {
                    lines = try await gateway.sluiceJSONLines(["dlq", "list"])
                    return lines.count == 1
                }, "the dead letter")
                let error = try #require(lines.first?["last_error"] as? String)
                #expect(error.count > 60, "a connection error is long: \(error)")
                let table = try await gateway.sluice(["dlq", "list"])
                let row = try #require(table.split(separator: "\n").first { $0.contains("exhausted") })
                #expect(row.contains("…") && !row.contains(error), "\(table)")
                #expect(table.contains("(errors cut short in LAST; --json gives them whole)"), "\(table)")
                // The console's table cuts it the same way and keeps the whole error as the cell's title.
                let (console, base) = try await ConsoleTests.startConsole(gateway)
                defer { console.send(SIGKILL) }
                let page = try await ConsoleTests.request(gateway.client, base + "/dead-letters").body
                let cut = try #require(row.split(separator: " ").first { $0.hasSuffix("…") }.map(String.init))
                let escaped = error.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "'", with: "&#39;")
                    .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                #expect(page.contains("<td title=\"\(escaped)\">") && page.contains(cut), "\(page)")

                for command in [["dlq", "replay"], ["dlq", "purge"], ["dlq", "list"]] {
                    let result = try await SluiceBinary.run(
                        command + ["--id", "1-0", "--config", gateway.routesPath, "--redis", "\(redis.url)"])
                    #expect(result.status == 0, "\(command): \(result.output)")
                    #expect(result.output.contains("warning: no dead letter has the id 1-0"), "\(command): \(result.output)")
                }
                #expect(try await gateway.sluiceJSONLines(["dlq", "list"]).count == 1, "nothing was replayed or purged")
            }
        }
    }

    @Test func deadLettersAreListedReplayedIdempotentlyAndPurged() async throws {
        try await withSink { sink in
            let healthy = SinkSwitch()
            await sink.respond(to: "/hook") { _ in await healthy.isOn ? .ok : .status(500) }
            try await withRedis { redis in
                try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: Self.batchRoute)) { gateway in
                    let exhausted = try await gateway.post(type: "batch.succeeded")
                    let unrouted = try await gateway.post(type: "video.generated")
                    let unroutable = try await gateway.post(type: "file.deleted")

                    // dlq list --json: one object per line with exactly the keys docs/cli.md lists.
                    var lines: [[String: Any]] = []
                    try await poll(until: {
                        lines = try await gateway.sluiceJSONLines(["dlq", "list"])
                        return lines.count == 3
                    }, "three dead letters are listed")
                    let keys: Set<String> = ["id", "event_id", "tenant", "endpoint", "reason", "last_status", "last_error", "attempts", "dead_lettered_at"]
                    for line in lines { #expect(Set(line.keys) == keys, "\(line)") }
                    let byEvent = Dictionary(uniqueKeysWithValues: lines.map { ($0["event_id"] as? String ?? "", $0) })
                    let dead = try #require(byEvent[exhausted])
                    #expect(dead["reason"] as? String == "exhausted")
                    #expect(dead["tenant"] as? String == "acme")
                    #expect(dead["endpoint"] as? String == "main")
                    #expect(dead["last_status"] as? Int == 500)
                    #expect(dead["last_error"] as? String == "HTTP 500")
                    #expect(dead["attempts"] as? Int == 3)
                    #expect((dead["dead_lettered_at"] as? String)?.isEmpty == false)
                    let noRoute = try #require(byEvent[unrouted])
                    #expect(noRoute["reason"] as? String == "no_route")
                    #expect(noRoute["tenant"] is NSNull)
                    #expect(noRoute["endpoint"] is NSNull)
                    #expect(noRoute["attempts"] as? Int == 0)
                    #expect(byEvent[unroutable]?["reason"] as? String == "no_route")
                    let deadID = try #require(dead["id"] as? String)

                    // events show --json: each attempt with its status code.
                    let shown = try await gateway.sluiceJSON(["events", "show", exhausted])
                    let attempts = try #require(shown["attempts"] as? [[String: Any]])
                    #expect(attempts.map { $0["status"] as? Int } == [500, 500, 500])
                    #expect(attempts.map { $0["attempt"] as? Int } == [1, 2, 3])
                    #expect(attempts.map { $0["outcome"] as? String } == ["retry", "retry", "dead_letter"])
                    #expect(attempts.allSatisfy { $0["target"] as? String == "acme/main" })

                    // events list --json: newest first, each with its standing, then where the next page starts.
                    let listed = try await gateway.sluiceJSONLines(["events", "list"])
                    #expect(listed.dropLast().map { $0["id"] as? String } == [unroutable, unrouted, exhausted], "\(listed)")
                    #expect(listed.dropLast().map { $0["outcome"] as? String } == ["no_route", "no_route", "dead_letter"])
                    #expect(listed[2]["deliveries"] as? [[String: String]] == [["target": "acme/main", "outcome": "dead_letter"]])
                    #expect(listed.last?["next"] is NSNull && listed.last?["scanned"] as? Int == 3, "\(listed)")
                    #expect(try await gateway.sluiceJSONLines(["events", "list", "--outcome", "dead_letter"]).dropLast().map { $0["id"] as? String } == [exhausted])
                    #expect(try await gateway.sluiceJSONLines(["events", "list", "--type", "video.*"]).dropLast().map { $0["id"] as? String } == [unrouted])
                    let first = try await gateway.sluiceJSONLines(["events", "list", "--limit", "2"])
                    let after = try #require(first.last?["next"] as? String, "\(first)")
                    let second = try await gateway.sluiceJSONLines(["events", "list", "--limit", "2", "--after", after])
                    #expect(second.dropLast().map { $0["id"] as? String } == [exhausted] && second.last?["next"] is NSNull, "\(second)")
                    let wrong = try await SluiceBinary.run(["events", "list", "--endpoint", "acme", "--config", gateway.routesPath, "--redis", "\(redis.url)"])
                    #expect(wrong.status == 2 && wrong.output.contains("--endpoint: expected TENANT/ENDPOINT"), "\(wrong.output)")

                    // status --json: the counts.
                    let status = try await gateway.sluiceJSON(["status"])
                    #expect(status["dlq_size"] as? Int == 3)
                    #expect(status["retry_backlog"] as? Int == 0)
                    #expect((status["deliveries"] as? [String: Any])?["pending"] as? Int == 0)
                    #expect((status["ingress"] as? [String: Any])?["pending"] as? Int == 0)

                    // Replay after the endpoint is fixed: a fresh schedule, the same webhook-id.
                    await healthy.turnOn()
                    let replayOutput = try await gateway.sluice(["dlq", "replay", "--id", deadID])
                    #expect(replayOutput.contains("replayed 1 of 1"), "\(replayOutput)")
                    let requests = try await sink.waitForRequests(count: 4, path: "/hook")
                    #expect(requests.map { $0.header("webhook-id") } == Array(repeating: exhausted, count: 4))
                    #expect(requests.map { $0.header("x-sluice-attempt") } == ["1", "2", "3", "1"])
                    try await poll(until: {
                        try await gateway.store.attemptLog(source: "gemini", webhookID: exhausted).last?.record.outcome == .delivered
                    }, "the replayed delivery is recorded delivered")
                    #expect(try await gateway.sluiceJSONLines(["events", "list", "--outcome", "delivered"]).dropLast().map { $0["id"] as? String } == [exhausted])

                    // The same id again: nothing selected, nothing sent.
                    let again = try await gateway.sluice(["dlq", "replay", "--id", deadID])
                    #expect(again.contains("replayed 0"), "\(again)")

                    // no_route: fix the routes file, replay by reason; the unroutable one stays.
                    try GatewayProcesses.routes(
                        prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: Self.batchRoute + "\n" + Self.videoRoute
                    ).write(toFile: gateway.routesPath, atomically: true, encoding: .utf8)
                    // --json: the counts and ids for scripts.
                    let noRouteReplay = try await gateway.sluiceJSON(["dlq", "replay", "--reason", "no_route"])
                    #expect(noRouteReplay["selected"] as? Int == 2 && noRouteReplay["replayed"] as? Int == 1, "\(noRouteReplay)")
                    #expect(noRouteReplay["replayed_ids"] as? [String] == [byEvent[unrouted]?["id"] as? String ?? "?"], "\(noRouteReplay)")
                    #expect(noRouteReplay["still_no_route_ids"] as? [String] == [byEvent[unroutable]?["id"] as? String ?? "?"], "\(noRouteReplay)")
                    let routed = try await sink.waitForRequests(count: 5, path: "/hook")
                    #expect(routed[4].header("webhook-id") == unrouted)
                    #expect(routed[4].header("x-sluice-attempt") == "1")
                    #expect(routed[4].header("x-sluice-event-type") == "video.generated")
                    let remaining = try await gateway.sluiceJSONLines(["dlq", "list"])
                    #expect(remaining.map { $0["event_id"] as? String } == [unroutable])
                    // Its record still says where the router sent it (nowhere); `events show` adds where the replay did.
                    try await poll(until: {
                        let shown = try await gateway.sluiceJSON(["events", "show", unrouted])
                        return (shown["targets"] as? [String]) == [] && (shown["replayed_to"] as? [String])?.count == 1
                    }, "events show names the replay's target beside the no_route record")

                    // purge --all empties the DLQ.
                    let purged = try await gateway.sluiceJSON(["dlq", "purge", "--all"])
                    #expect(purged["selected"] as? Int == 1 && purged["purged"] as? Int == 1, "\(purged)")
                    #expect(try await gateway.sluiceJSONLines(["dlq", "list"]).isEmpty)
                    try await poll(until: {
                        let status = try await gateway.sluiceJSON(["status"])
                        return status["dlq_size"] as? Int == 0 && (status["deliveries"] as? [String: Any])?["pending"] as? Int == 0
                    }, "status reports an empty DLQ and nothing pending")
                    // The second replay of the same id sent nothing: one request per event after the fixes.
                    #expect(await sink.requests(to: "/hook").count == 5)
                }
            }
        }
    }
}

