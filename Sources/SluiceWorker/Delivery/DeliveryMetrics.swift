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
    /// Every dead letter, by reason (not per endpoint: it outlives removed endpoints).
    let deadLetters: DeadLetterMetrics

    init(factory: any MetricsFactory) {
        self.factory = factory
        deadLetters = DeadLetterMetrics(factory: factory)
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
        // Taken out under each lock, destroyed outside it (destroying takes the registry's lock).
        let counters = counters.withLock { Self.remove(from: &$0) { !exists($0.endpoint) } }
        let timers = timers.withLock { Self.remove(from: &$0) { !exists($0) } }
        let gauges = circuits.withLock { Self.remove(from: &$0) { !exists($0) } }
        counters.forEach { $0.destroy() }
        timers.forEach { $0.destroy() }
        gauges.forEach { $0.destroy() }
    }

    /// Removes the entries whose key is `gone`; returns their values.
    private static func remove<Key, Value>(from dictionary: inout [Key: Value], where gone: (Key) -> Bool) -> [Value] {
        let removed = dictionary.filter { gone($0.key) }
        for key in removed.keys { dictionary[key] = nil }
        return Array(removed.values)
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
