import Foundation
import SluiceCore
import SluiceTesting
import Testing

/// SIGTERM: stop claiming, fail readiness, finish in-flight deliveries within the grace period.
@Suite struct ShutdownTests {
    @Test func inFlightDeliveryFinishesDuringGracefulShutdown() async throws {
        try await withSink { sink in
            await sink.respond(to: "/slow", with: SinkResponse(status: 200, delay: .seconds(1)))
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.routes(prefix: prefix, """
                    tenants:
                      acme:
                        signing: {secrets: ["\(TenantSecrets.acme)"]}
                        endpoints:
                          main: {url: "\(sink.url("/slow"))"}
                    routes:
                      - name: all
                        match: {source: gemini}
                        to: [acme/main]
                    """)
            }, shutdownGrace: .seconds(10)) { harness in
                let id = try await harness.post()
                _ = try await sink.waitForRequests(count: 1, path: "/slow")
                await harness.beginShutdown()
                try await poll(until: { try await harness.getMetricsPort("/readyz").status == 503 }, "readiness fails while draining")
                try await poll(until: {
                    try await harness.store.attemptLog(source: "gemini", webhookID: id).map(\.record.outcome) == [.delivered]
                }, "the in-flight attempt completes and is recorded")
                let status = try await harness.store.status()
                #expect(status.deliveriesPending == 0)
                #expect(status.retryBacklog == 0)
                #expect(await sink.requests(to: "/slow").count == 1)
            }
        }
    }
}
