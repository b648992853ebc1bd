import CoreMetrics
import Prometheus

/// One Prometheus registry per process (or per test), handed out as a `MetricsFactory`.
///
/// Metrics are created against an injected factory rather than the global
/// `MetricsSystem`, so two edges in one test process do not share counters.
public struct PrometheusExporter: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Ingest and delivery latencies sit between a fraction of a millisecond and tens of seconds.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        ]
        self.registry = registry
        self.factory = factory
    }

    /// The text exposition format, for `GET /metrics`.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
