import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// Events accepted by the edge reach tenant endpoints, signed per tenant, through the worker.
@Suite struct DeliveryTests {
    @Test func fanOutSignsEachTenantsCopyWithItsOwnSecret() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.routes(prefix: prefix, """
                    tenants:
                      acme:
                        signing: {secrets: ["\(TenantSecrets.acme)"]}
                        endpoints:
                          main: {url: "\(sink.url("/acme"))", headers: {X-Platform-Tenant: acme}}
                      ops:
                        signing: {secrets: ["\(TenantSecrets.ops)"]}
                        endpoints:
                          audit: {url: "\(sink.url("/ops"))"}
                    routes:
                      - name: all
                        match: {source: gemini}
                        to: [acme/main, ops/audit]
                    """)
            }) { harness in
                let body = #"{"type":"batch.succeeded","data":{"batch":"batches/42"}}"#
                let id = try await harness.post(body: body)
                let acme = try await sink.waitForRequests(count: 1, path: "/acme")[0]
                let ops = try await sink.waitForRequests(count: 1, path: "/ops")[0]

                #expect(TenantSecrets.verifies(acme, with: TenantSecrets.acme))
                #expect(!TenantSecrets.verifies(acme, with: TenantSecrets.ops))
                #expect(TenantSecrets.verifies(ops, with: TenantSecrets.ops))
                #expect(!TenantSecrets.verifies(ops, with: TenantSecrets.acme))
                for request in [acme, ops] {
                    #expect(request.text == body)
                    #expect(request.header("webhook-id") == id)
                    #expect(request.header("x-sluice-attempt") == "1")
                    #expect(request.header("x-sluice-event-type") == "batch.succeeded")
                    #expect(request.header("x-sluice-source") == "gemini")
                    #expect(request.header("user-agent") == "sluice/0.1.0")
                }
                #expect(acme.header("x-platform-tenant") == "acme")

                try await poll(until: {
                    harness.workerMetrics().contains(#"sluice_deliveries_total{tenant="ops",endpoint="audit",outcome="delivered"} 1"#)
                }, "the delivery is counted")
                #expect(try await harness.getMetricsPort("/readyz").status == 200)
                #expect(try await harness.getMetricsPort("/healthz").status == 200)
                let metrics = try await harness.getMetricsPort("/metrics")
                #expect(String(decoding: metrics.body, as: UTF8.self).contains("sluice_delivery_seconds"))
            }
        }
    }

    @Test func everyTenantSecretSignsDuringRotation() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.routes(prefix: prefix, """
                    tenants:
                      acme:
                        signing: {secrets: ["\(TenantSecrets.acme)", "\(TenantSecrets.acmeNext)"]}
                        endpoints:
                          main: {url: "\(sink.url("/acme"))"}
                    routes:
                      - name: all
                        match: {source: gemini}
                        to: [acme/main]
                    """)
            }) { harness in
                try await harness.post()
                let request = try await sink.waitForRequests(count: 1, path: "/acme")[0]
                let entries = (request.header("webhook-signature") ?? "").split(separator: " ")
                #expect(entries.count == 2)
                #expect(entries.allSatisfy { $0.hasPrefix("v1,") })
                #expect(TenantSecrets.verifies(request, with: TenantSecrets.acme))
                #expect(TenantSecrets.verifies(request, with: TenantSecrets.acmeNext))
                #expect(!TenantSecrets.verifies(request, with: TenantSecrets.ops))
            }
        }
    }

    @Test func unroutedEventIsDeadLetteredAsNoRoute() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.routes(prefix: prefix, """
                    tenants:
                      acme:
                        signing: {secrets: ["\(TenantSecrets.acme)"]}
                        endpoints:
                          main: {url: "\(sink.url("/acme"))"}
                    routes:
                      - name: videos
                        match: {source: gemini, events: ["video.*"]}
                        to: [acme/main]
                    """)
            }) { harness in
                // Every reason is exported from the start, so the first dead letter is an increase.
                #expect(MetricsText.value(of: #"sluice_dead_letters_total{reason="no_route"}"#, in: harness.workerMetrics()) == 0)
                #expect(MetricsText.value(of: #"sluice_dead_letters_total{reason="undecodable"}"#, in: harness.workerMetrics()) == 0)
                let id = try await harness.post(body: #"{"type":"batch.succeeded"}"#)
                let dead = try await harness.waitForDeadLetters(count: 1)
                try #require(dead.count == 1)
                #expect(dead[0].reason == .noRoute)
                // An event has no endpoint: only the dead-letter counter shows it.
                try await poll(until: {
                    MetricsText.value(of: #"sluice_dead_letters_total{reason="no_route"}"#, in: harness.workerMetrics()) == 1
                }, "the no_route dead letter is counted")
                #expect(dead[0].delivery.event.webhookID == id)
                #expect(dead[0].attempts == 0)
                #expect(await sink.requests.isEmpty)
            }
        }
    }

    @Test func blockedAddressIsDeadLetteredWithoutARequest() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.routes(prefix: prefix, allowLoopback: false, """
                    tenants:
                      acme:
                        signing: {secrets: ["\(TenantSecrets.acme)"]}
                        endpoints:
                          main: {url: "\(sink.url("/acme"))"}
                    routes:
                      - name: all
                        match: {source: gemini}
                        to: [acme/main]
                    """)
            }) { harness in
                try await harness.post()
                let dead = try await harness.waitForDeadLetters(count: 1)
                #expect(dead[0].reason == .blockedAddress)
                #expect(dead[0].delivery.target == EndpointRef(tenant: "acme", endpoint: "main"))
                #expect(await sink.requests.isEmpty)
            }
        }
    }
}
