import CoreMetrics
import NIOCore
import Synchronization

/// `sluice_ingest_total{source,outcome}` and `sluice_ingest_seconds`.
///
/// Each source's counters live in a `SourceCounters` that the routes snapshot hands to every
/// request of that source, so recording an outcome is no lookup by name and no lock for the two
/// outcomes nearly every request has (accepted, duplicate).
final class IngressMetrics: Sendable {
    /// The counters of one `source` label.
    final class SourceCounters: Sendable {
        let label: String
        private let factory: any MetricsFactory
        /// Nil for `_unknown`, which only ever counts refusals: its series would read 0 forever.
        private let accepted: Counter?
        private let duplicate: Counter?
        /// Refusals, by reason; created on first use.
        private let others = Mutex<[String: Counter]>([:])

        fileprivate init(label: String, factory: any MetricsFactory, acceptsEvents: Bool = true) {
            self.label = label
            self.factory = factory
            self.accepted = acceptsEvents ? Self.counter(label: label, outcome: "accepted", factory: factory) : nil
            self.duplicate = acceptsEvents ? Self.counter(label: label, outcome: "duplicate", factory: factory) : nil
            guard acceptsEvents else { return }
            // The edge's own refusals exist at 0 from the start: a series that first appears at 1
            // shows no increase to `rate()`, and the alerts on them would miss a short outage.
            others.withLock { others in
                for outcome in Self.alertedRefusals { others[outcome] = Self.counter(label: label, outcome: outcome, factory: factory) }
            }
        }

        /// The 503s the example alerts watch (deploy/prometheus/alerts.yaml).
        static let alertedRefusals = ["durability_unmet", "store_unavailable", "not_replicated", "jwks_unavailable", "buffer_full"]

        func counter(outcome: String) -> Counter {
            if outcome == "accepted", let accepted { return accepted }
            if outcome == "duplicate", let duplicate { return duplicate }
            return others.withLock { others in
                if let counter = others[outcome] { return counter }
                let counter = Self.counter(label: label, outcome: outcome, factory: factory)
                others[outcome] = counter
                return counter
            }
        }

        private static func counter(label: String, outcome: String, factory: any MetricsFactory) -> Counter {
            Counter(label: "sluice_ingest_total", dimensions: [("source", label), ("outcome", outcome)], factory: factory)
        }
    }

    private let factory: any MetricsFactory
    private let sources = Mutex<[String: SourceCounters]>([:])
    private let latency: Timer
    /// Unknown names come from the URL: they share one label so strangers cannot grow the metric set.
    let unknownSource: SourceCounters

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.latency = Timer(label: "sluice_ingest_seconds", dimensions: [], factory: factory)
        self.unknownSource = SourceCounters(label: "_unknown", factory: factory, acceptsEvents: false)
    }

    /// The counters of a configured source; the same object across reloads.
    func counters(source name: String) -> SourceCounters {
        sources.withLock { sources in
            if let counters = sources[name] { return counters }
            let counters = SourceCounters(label: name, factory: factory)
            sources[name] = counters
            return counters
        }
    }

    func record(_ counters: SourceCounters, outcome: String, duration: TimeAmount) {
        counters.counter(outcome: outcome).increment()
        latency.recordNanoseconds(duration.nanoseconds)
    }
}
