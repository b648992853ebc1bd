import SluiceCore
import SluiceRuntime
import Testing

@testable import SluiceWorker

@Suite("A worker's delivery metrics")
struct DeliveryMetricsTests {
    /// An endpoint removed from routes.yaml stops being exported: a worker that runs for weeks
    /// would otherwise export every endpoint it ever delivered to.
    @Test func aRemovedEndpointsSeriesAreWithdrawn() {
        let exporter = PrometheusExporter()
        let metrics = DeliveryMetrics(factory: exporter.factory)
        let kept = EndpointRef(tenant: "acme", endpoint: "main")
        let removed = EndpointRef(tenant: "temp", endpoint: "e1")
        for ref in [kept, removed] {
            metrics.count(ref, outcome: "delivered")
            metrics.recordDuration(ref, .milliseconds(3))
            metrics.setCircuitOpen(ref, false)
        }
        func text() -> String { String(decoding: exporter.render(), as: UTF8.self) }
        #expect(text().contains(#"tenant="temp""#))
        metrics.forget { $0 != removed }
        #expect(!text().contains(#"tenant="temp""#), "\(text())")
        for family in ["sluice_deliveries_total{", "sluice_delivery_seconds_count{", "sluice_endpoint_circuit_open{"] {
            #expect(text().contains(family + #"tenant="acme""#) || text().contains(family + #"endpoint="main""#), "\(family) of acme/main: \(text())")
        }
        // Delivered to again (it came back): counted afresh.
        metrics.count(removed, outcome: "delivered")
        #expect(text().contains(#"tenant="temp""#))
    }
}
