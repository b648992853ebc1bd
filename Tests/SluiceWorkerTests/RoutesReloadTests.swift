import Foundation
import SluiceCore
import SluiceTesting
import Testing

/// routes.yaml changes apply to the worker without a restart.
@Suite struct RoutesReloadTests {
    static func tenants(_ sink: Sink, mainRetry: String = "{schedule: [0s, 100ms], jitter: 0%}") -> String {
        """
        tenants:
          acme:
            signing: {secrets: ["\(TenantSecrets.acme)"]}
            endpoints:
              main: {url: "\(sink.url("/main"))", retry: \(mainRetry)}
          ops:
            signing: {secrets: ["\(TenantSecrets.ops)"]}
            endpoints:
              audit: {url: "\(sink.url("/audit"))"}
        """
    }

    @Test func addedRouteReachesTheNewEndpointForLaterEvents() async throws {
        try await withSink { sink in
            let initial: @Sendable (String) -> String = { prefix in
                WorkerHarness.routes(prefix: prefix, Self.tenants(sink) + """

                    routes:
                      - name: main
                        match: {source: gemini}
                        to: [acme/main]
                    """)
            }
            try await WorkerHarness.with(routes: initial) { harness in
                let first = try await harness.post()
                _ = try await sink.waitForRequests(count: 1, path: "/main")
                #expect(await sink.requests(to: "/audit").isEmpty)

                try await harness.rewriteRoutes(
                    WorkerHarness.routes(prefix: harness.redis.prefix, Self.tenants(sink) + """

                        routes:
                          - name: main
                            match: {source: gemini}
                            to: [acme/main]
                          - name: audit
                            match: {source: gemini}
                            to: [ops/audit]
                        """))
                let second = try await harness.post()
                let audit = try await sink.waitForRequests(count: 1, path: "/audit")
                #expect(audit.map { $0.header("webhook-id") } == [second])
                let main = try await sink.waitForRequests(count: 2, path: "/main")
                #expect(main.map { $0.header("webhook-id") } == [first, second])
            }
        }
    }

    /// A reload that raises `max_in_flight` lets the deliveries queued in the endpoint's lane
    /// start at once, with no new event arriving for it (before, the lane kept its old limit until
    /// one did, so a queue drained at the old pace).
    @Test func aRaisedMaxInFlightStartsQueuedDeliveriesWithoutANewEvent() async throws {
        try await withSink { sink in
            let gate = SinkGate()
            await sink.respond(to: "/hook") { _ in
                await gate.arrive()
                return .ok
            }
            // Room in the lane to queue both (3 rounds of 30 s fit the visibility timeout): with
            // the defaults it queues one, and the third overflows, goes to the line and comes back
            // as a new arrival, which applies the new limit on its own.
            let routes: @Sendable (String, Int) -> String = { prefix, limit in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), "max_in_flight: \(limit)\ntimeout: 30s")
                    + "\nworker: {visibility_timeout: 120s}"
            }
            try await WorkerHarness.with(routes: { routes($0, 1) }) { harness in
                for _ in 0..<3 { try await harness.post() }
                _ = try await sink.waitForRequests(count: 1, path: "/hook")
                try await poll(until: { (try await harness.store.status()).deliveriesPending == 3 }, "all three read by the worker")
                #expect(await sink.requests(to: "/hook").count == 1, "one request at a time")

                try await harness.rewriteRoutes(routes(harness.redis.prefix, 3))
                do {
                    try await poll(until: { await sink.requests(to: "/hook").count == 3 }, timeout: .seconds(20),
                        "the two queued deliveries start under the raised limit, no new event arriving")
                } catch {
                    // Held requests would keep the sink, and the test, from ending.
                    await gate.open()
                    throw error
                }
                await gate.open()
                try await poll(until: { (try await harness.store.status()).deliveriesPending == 0 }, "all three delivered")
            }
        }
    }

    @Test func deliveryToAnEndpointRemovedByReloadIsDeadLettered() async throws {
        try await withSink { sink in
            await sink.respond(to: "/main", with: .status(500))
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.routes(prefix: prefix, Self.tenants(sink, mainRetry: "{schedule: [0s, 2s], jitter: 0%}") + """

                    routes:
                      - name: main
                        match: {source: gemini}
                        to: [acme/main]
                    """)
            }) { harness in
                let id = try await harness.post()
                _ = try await sink.waitForRequests(count: 1, path: "/main")
                // The retry waits 2 s; meanwhile acme/main disappears from the file.
                try await harness.rewriteRoutes(
                    WorkerHarness.routes(prefix: harness.redis.prefix, """
                        tenants:
                          ops:
                            signing: {secrets: ["\(TenantSecrets.ops)"]}
                            endpoints:
                              audit: {url: "\(sink.url("/audit"))"}
                        routes:
                          - name: audit
                            match: {source: gemini}
                            to: [ops/audit]
                        """))
                let dead = try await harness.waitForDeadLetters(count: 1)
                #expect(dead[0].reason == .endpointRemoved)
                #expect(dead[0].delivery.event.webhookID == id)
                #expect(dead[0].delivery.target == EndpointRef(tenant: "acme", endpoint: "main"))
                #expect(dead[0].lastStatus == 500)
                #expect(dead[0].attempts == 1)
                #expect(await sink.requests(to: "/main").count == 1)
                // Its log ends in the dead-lettering, which made no attempt, so that it does not
                // read as still retrying.
                let last = try #require(try await harness.store.attemptLog(source: "gemini", webhookID: id).last?.record)
                #expect(last.outcome == .deadLetter && last.reason == .endpointRemoved && last.status == nil)
                #expect(last.error?.hasPrefix("not attempted: endpoint acme/main was removed") == true, "\(last)")
            }
        }
    }
}
