import Foundation
import SluiceCore
import SluiceTesting
import Testing

/// The queue gauges dashboards and alerts read: a delivery waiting for its retry, a dead letter
/// and deliveries held by a rate limit each show in theirs, refreshed from Redis.
@Suite struct QueueGaugesTests {
    @Test func retryBacklogDeadLettersAndWaitingDeliveriesShowInTheirGauges() async throws {
        try await withSink { sink in
            await sink.respond(to: "/fail", with: .status(500))
            await sink.respond(to: "/gone", with: .status(410))
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.routes(prefix: prefix, """
                    tenants:
                      acme:
                        signing: {secrets: ["\(TenantSecrets.acme)"]}
                        endpoints:
                          failing: {url: "\(sink.url("/fail"))", retry: {schedule: [0s, 1h], jitter: 0%}}
                          gone: {url: "\(sink.url("/gone"))"}
                          limited: {url: "\(sink.url("/ok"))", rate_limit: 1/1h}
                    routes:
                      - {name: failing, match: {events: ["fail.*"]}, to: [acme/failing]}
                      - {name: gone, match: {events: ["gone.*"]}, to: [acme/gone]}
                      - {name: limited, match: {events: ["limited.*"]}, to: [acme/limited]}
                    """)
            }) { harness in
                func gauge(_ series: String) -> Double? { MetricsText.value(of: series, in: harness.workerMetrics()) }
                let series = [
                    "sluice_retry_backlog", "sluice_dlq_size", "sluice_waiting_deliveries",
                    #"sluice_queue_depth{stream="ingress"}"#, #"sluice_queue_depth{stream="deliveries"}"#,
                ]
                for name in series {
                    #expect(gauge(name) == 0, "\(name) before any event: \(harness.workerMetrics())")
                }
                try await harness.post(body: #"{"type":"fail.once"}"#)
                try await harness.post(body: #"{"type":"gone.once"}"#)
                for _ in 0..<3 { try await harness.post(body: #"{"type":"limited.once"}"#) }

                // One attempt failed with an hour to its retry, one endpoint is gone, and the rate
                // limit let one of three through: the others wait in their endpoint's line.
                let expected: [String: Double] = [
                    "sluice_retry_backlog": 1, "sluice_dlq_size": 1, "sluice_waiting_deliveries": 2,
                    #"sluice_queue_depth{stream="ingress"}"#: 0, #"sluice_queue_depth{stream="deliveries"}"#: 0,
                ]
                try await poll(until: {
                    expected.allSatisfy { gauge($0.key) == $0.value }
                }, "the gauges show 1 retry, 1 dead letter, 2 waiting")
                #expect(await sink.requests(to: "/ok").count == 1)
            }
        }
    }
}
