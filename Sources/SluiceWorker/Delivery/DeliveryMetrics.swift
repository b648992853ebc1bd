import CoreMetrics
import SluiceCore
import Synchronization

/// `sluice_deliveries_total{tenant,endpoint,outcome}`, `sluice_delivery_seconds{tenant,endpoint}` and
/// `sluice_endpoint_circuit_open{tenant,endpoint}`, with the labelled metrics cached so the hot
/// path does not hit the registry's lock for every attempt.
final class DeliveryMetrics: Sendable {
    private let factory: any MetricsFactory
    private struct CounterKey: Hashable {
        var endpoint: EndpointRef
        var outcome: String
    }

    private let counters = Mutex<[CounterKey: Counter]>([:])
    private let timers = Mutex<[EndpointRef: Timer]>([:])
    private let circuits = Mutex<[EndpointRef: Gauge]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Counts one outcome: `delivered`, `retry` or `dead_letter` (parking is not an attempt and is not counted).
    func count(_ endpoint: EndpointRef, outcome: String) {
        let key = CounterKey(endpoint: endpoint, outcome: outcome)
        let counter = counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "sluice_deliveries_total",
                dimensions: [("tenant", endpoint.tenant), ("endpoint", endpoint.endpoint), ("outcome", outcome)],
                factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Records how long an attempt took.
    func recordDuration(_ endpoint: EndpointRef, _ duration: Duration) {
        let timer = timers.withLock { timers in
            if let timer = timers[endpoint] { return timer }
            let timer = Timer(
                label: "sluice_delivery_seconds", dimensions: [("tenant", endpoint.tenant), ("endpoint", endpoint.endpoint)],
                factory: factory)
            timers[endpoint] = timer
            return timer
        }
        timer.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Withdraws every series of the endpoints `exists` no longer knows (removed from
    /// routes.yaml): a process that lives for weeks would otherwise export each endpoint it ever
    /// delivered to. One that comes back starts its counters afresh, which Prometheus reads as a
    /// counter reset.
    func forget(unless exists: (EndpointRef) -> Bool) {
        let counters = counters.withLock { counters in
            let gone = counters.filter { !exists($0.key.endpoint) }
            for key in gone.keys { counters[key] = nil }
            return Array(gone.values)
        }
        let timers = timers.withLock { timers in
            let gone = timers.filter { !exists($0.key) }
            for key in gone.keys { timers[key] = nil }
            return Array(gone.values)
        }
        let gauges = circuits.withLock { gauges in
            let gone = gauges.filter { !exists($0.key) }
            for key in gone.keys { gauges[key] = nil }
            return Array(gone.values)
        }
        counters.forEach { $0.destroy() }
        timers.forEach { $0.destroy() }
        gauges.forEach { $0.destroy() }
    }

    /// Sets every circuit gauge this process has reported: 1 for the endpoints in `open`, else 0.
    func refreshCircuits(open: Set<EndpointRef>) {
        for (endpoint, gauge) in circuits.withLock({ $0 }) { gauge.record(open.contains(endpoint) ? 1 : 0) }
    }

    /// Sets the circuit gauge: 1 while open, else 0.
    func setCircuitOpen(_ endpoint: EndpointRef, _ open: Bool) {
        let gauge = circuits.withLock { gauges in
            if let gauge = gauges[endpoint] { return gauge }
            let gauge = Gauge(
                label: "sluice_endpoint_circuit_open", dimensions: [("tenant", endpoint.tenant), ("endpoint", endpoint.endpoint)],
                factory: factory)
            gauges[endpoint] = gauge
            return gauge
        }
        gauge.record(open ? 1 : 0)
    }
}
