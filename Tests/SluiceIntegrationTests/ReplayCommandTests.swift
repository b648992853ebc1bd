import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// `sluice replay --endpoint T/E --since …`: a tenant lost what it received; every delivery to it
/// since a time is sent again from the archive `worker.recovery_window` keeps.
@Suite struct ReplayCommandTests {
    @Test func everyDeliveryToAnEndpointSinceATimeIsSentAgain() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                let routes = GatewayProcesses.routes(
                    prefix: redis.prefix, sinkURL: sink.url("/hook"),
                    moreEndpoints: ["audit: {url: \"\(sink.url("/audit"))\"}"],
                    routes: """
                          - name: all
                            match: {source: gemini}
                            to: [acme/main, acme/audit]
                        """,
                    trailer: "worker: {recovery_window: 1h}")
                try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: routes) { gateway in
                    var ids: [String] = []
                    for index in 0..<5 { ids.append(try await gateway.post(type: "batch.succeeded", id: "msg_recover_\(index)")) }
                    try await poll(until: {
                        let main = await sink.requests(to: "/hook").count
                        let audit = await sink.requests(to: "/audit").count
                        return main == 5 && audit == 5
                    }, "delivered once each")

                    // A dry run counts; the real one sends acme/main's five again (not acme/audit's).
                    let dry = try await gateway.sluiceJSON(["replay", "--endpoint", "acme/main", "--since", "10m", "--dry-run"])
                    #expect(dry["found"] as? Int == 5 && dry["enqueued"] as? Int == 0, "\(dry)")
                    // A time before 1970 means from the archive's start (it made an id Redis refused).
                    let ancient = try await gateway.sluiceJSON(["replay", "--endpoint", "acme/main", "--since", "0001-01-01T00:00:00Z", "--dry-run"])
                    #expect(ancient["found"] as? Int == 5, "\(ancient)")
                    // Without --until the window ends now, and says so.
                    let until = try #require((dry["until"] as? String).flatMap { try? Date($0, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) }, "\(dry)")
                    #expect(abs(until.timeIntervalSinceNow) < 60, "\(dry)")
                    let done = try await gateway.sluiceJSON(["replay", "--endpoint", "acme/main", "--since", "10m"])
                    #expect(done["found"] as? Int == 5 && done["enqueued"] as? Int == 5, "\(done)")
                    try await poll(until: { await sink.requests(to: "/hook").count == 10 }, "sent again")
                    let again = await sink.requests(to: "/hook").suffix(5)
                    #expect(Set(again.compactMap { $0.header("webhook-id") }) == Set(ids))
                    #expect(again.allSatisfy { $0.header("x-sluice-attempt") == "1" && $0.isSigned(with: GatewayProcesses.tenantSecret) })
                    #expect(await sink.requests(to: "/audit").count == 5)

                    // Nothing since a time after them; a bad time or endpoint is a usage error.
                    let later = try await gateway.sluiceJSON(["replay", "--endpoint", "acme/main", "--since", Date().addingTimeInterval(60).ISO8601Format()])
                    #expect(later["found"] as? Int == 0)
                    let bad = try await SluiceBinary.run(["replay", "--endpoint", "acme/main", "--since", "yesterday", "--config", gateway.routesPath, "--redis", "\(redis.url)"])
                    #expect(bad.status == 2 && bad.output.contains("--since"), "\(bad.output)")
                    let noSlash = try await SluiceBinary.run(["replay", "--endpoint", "main", "--since", "1h", "--config", gateway.routesPath, "--redis", "\(redis.url)"])
                    #expect(noSlash.status == 2 && noSlash.output.contains("TENANT/ENDPOINT"), "\(noSlash.output)")
                }
            }
        }
    }

    /// An event that matched no route is archived once `sluice dlq replay` sends it to an
    /// endpoint (after the routes were fixed), so a later `sluice replay --endpoint` finds it.
    @Test func aNoRouteEventReplayedToAnEndpointIsFoundByReplayEndpoint() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                func routes(_ types: String) -> String {
                    GatewayProcesses.routes(
                        prefix: redis.prefix, sinkURL: sink.url("/hook"),
                        routes: """
                              - name: batches
                                match: {source: gemini, events: ["\(types)"]}
                                to: [acme/main]
                            """,
                        trailer: "worker: {recovery_window: 1h}")
                }
                try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: routes("batch.*")) { gateway in
                    let id = try await gateway.post(type: "video.generated", id: "msg_unrouted")
                    try await poll(until: {
                        (try await gateway.sluiceJSONLines(["dlq", "list", "--json"])).contains { $0["reason"] as? String == "no_route" }
                    }, "dead-lettered no_route")
                    #expect(try await gateway.sluiceJSON(["replay", "--endpoint", "acme/main", "--since", "10m", "--dry-run"])["found"] as? Int == 0)

                    // The routes fixed (a file of the operator's), the dead letter is replayed and delivered…
                    let fixed = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-fixed-\(UUID().uuidString).yaml").path
                    try routes("*").write(toFile: fixed, atomically: true, encoding: .utf8)
                    defer { try? FileManager.default.removeItem(atPath: fixed) }
                    let replayed = try await SluiceBinary.run(["dlq", "replay", "--all", "--json", "--config", fixed, "--redis", "\(redis.url)"])
                    #expect(replayed.status == 0 && replayed.output.contains(#""replayed":1"#), "\(replayed.output)")
                    try await poll(until: { await sink.requests(to: "/hook").count == 1 }, "delivered")

                    // …and found in the archive like any routed event.
                    let again = try await gateway.sluiceJSON(["replay", "--endpoint", "acme/main", "--since", "10m"])
                    #expect(again["found"] as? Int == 1 && again["enqueued"] as? Int == 1, "\(again)")
                    try await poll(until: { await sink.requests(to: "/hook").count == 2 }, "sent again")
                    #expect(await sink.requests(to: "/hook").allSatisfy { $0.header("webhook-id") == id })
                }
            }
        }
    }
}
