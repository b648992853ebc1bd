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
                    }, timeout: .seconds(15), "delivered once each")

                    // A dry run counts; the real one sends acme/main's five again (not acme/audit's).
                    let dry = try await gateway.sluiceJSON(["replay", "--endpoint", "acme/main", "--since", "10m", "--dry-run"])
                    #expect(dry["found"] as? Int == 5 && dry["enqueued"] as? Int == 0, "\(dry)")
                    let done = try await gateway.sluiceJSON(["replay", "--endpoint", "acme/main", "--since", "10m"])
                    #expect(done["found"] as? Int == 5 && done["enqueued"] as? Int == 5, "\(done)")
                    try await poll(until: { await sink.requests(to: "/hook").count == 10 }, timeout: .seconds(15), "sent again")
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
}
