import CoreMetrics
import Synchronization

/// `sluice_ingest_total{source,outcome}` and `sluice_ingest_seconds`, with the labelled
/// counters cached so the hot path does not hit the registry's lock for each request.
final class IngressMetrics: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])
    private let latency: Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.latency = Timer(label: "sluice_ingest_seconds", dimensions: [], factory: factory)
    }

    func record(source: String, outcome: String, duration: Duration) {
        let key = source + "\u{0}" + outcome
        let counter = counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "sluice_ingest_total", dimensions: [("source", source), ("outcome", outcome)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
        latency.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
