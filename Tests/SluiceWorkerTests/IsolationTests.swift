import Foundation
import SluiceCore
import SluiceTesting
import Testing

/// A slow or hanging endpoint holds only its own slots.
@Suite struct IsolationTests {
    @Test func hangingEndpointDoesNotDelayAHealthyOne() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hang", with: .hang)
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.routes(prefix: prefix, """
                    tenants:
                      stuck:
                        signing: {secrets: ["\(TenantSecrets.ops)"]}
                        endpoints:
                          hook: {url: "\(sink.url("/hang"))", timeout: 30s, max_in_flight: 2}
                      acme:
                        signing: {secrets: ["\(TenantSecrets.acme)"]}
                        endpoints:
                          main: {url: "\(sink.url("/ok"))"}
                    routes:
                      - name: all
                        match: {source: gemini}
                        to: [stuck/hook, acme/main]
                    """)
            }) { harness in
                let started = ContinuousClock.now
                for _ in 0..<20 { try await harness.post() }
                // Well inside the hanging endpoint's 30 s timeout (generous for a busy CI machine):
                // nothing waited for its slots.
                let healthy = try await sink.waitForRequests(count: 20, path: "/ok", timeout: .seconds(20))
                #expect(Set(healthy.compactMap { $0.header("webhook-id") }).count == 20)
                #expect(ContinuousClock.now - started < .seconds(20))
                // max_in_flight: 2, and no attempt has timed out yet, so only two reached it.
                #expect(await sink.requests(to: "/hang").count == 2)
            }
        }
    }
}
