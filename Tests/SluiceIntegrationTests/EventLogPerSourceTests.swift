import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// Dedupe is per source, and so is each event's log: two sources using the same webhook-id
/// keep two events, neither overwriting the other's record or attempts.
@Suite struct EventLogPerSourceTests {
    @Test func theSameWebhookIDFromTwoSourcesKeepsTwoLogs() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                let routes = GatewayProcesses.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: """
                      - name: all
                        to: [acme/main]
                    """).replacingOccurrences(of: "sources:\n", with: """
                    sources:
                      partner:
                        kind: standard-webhooks
                        verify:
                          hmac: {secrets: ["\(GatewayProcesses.sourceSecret)"]}

                    """)
                try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: routes) { gateway in
                    try await gateway.post(body: #"{"type":"from.gemini"}"#, id: "msg_shared")
                    try await gateway.post(body: #"{"type":"from.partner"}"#, id: "msg_shared", path: "/webhooks/partner")
                    try await poll(until: { await sink.requests(to: "/hook").count == 2 }, "both events are delivered")
                    try await poll(until: {
                        let gemini = try await gateway.store.attemptLog(source: "gemini", webhookID: "msg_shared")
                        let partner = try await gateway.store.attemptLog(source: "partner", webhookID: "msg_shared")
                        return gemini.count == 1 && partner.count == 1
                    }, "each source's log holds its own attempt")
                    #expect(try await gateway.store.eventRecord(source: "gemini", webhookID: "msg_shared")?.eventType == "from.gemini")
                    #expect(try await gateway.store.eventRecord(source: "partner", webhookID: "msg_shared")?.eventType == "from.partner")

                    let shown = try await gateway.sluiceJSON(["events", "show", "msg_shared", "--source", "partner"])
                    #expect(shown["type"] as? String == "from.partner")
                    #expect((shown["attempts"] as? [Any])?.count == 1)
                    let ambiguous = try await SluiceBinary.run([
                        "events", "show", "msg_shared", "--config", gateway.routesPath, "--redis", "\(redis.url)",
                    ])
                    #expect(ambiguous.status == 2)
                    #expect(ambiguous.output.contains("exists under 2 sources (gemini, partner); pick one with --source"), "\(ambiguous.output)")
                    // A source the file does not name, with nothing under it, is a usage error.
                    let misspelt = try await SluiceBinary.run([
                        "events", "show", "msg_shared", "--source", "gemnii", "--config", gateway.routesPath, "--redis", "\(redis.url)",
                    ])
                    #expect(misspelt.status == 2 && misspelt.output.contains("no source named 'gemnii'") && misspelt.output.contains("known: gemini, partner"), "\(misspelt.output)")
                }
            }
        }
    }
}
