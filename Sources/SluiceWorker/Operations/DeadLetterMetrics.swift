import CoreMetrics
import SluiceCore

/// `sluice_dead_letters_total{reason}`: every dead letter this worker writes, whatever made it —
/// an endpoint's delivery (`exhausted`, `gone`, `blocked_address`, `endpoint_removed`), an event
/// no route matched (`no_route`) or an entry that cannot be read (`undecodable`).
/// `sluice_deliveries_total{outcome="dead_letter"}` counts per endpoint, so it has nothing for an
/// event without one and loses a removed endpoint's series within seconds. Counted once the
/// dead letter is written.
///
/// Every reason exists at 0 from the start: a series that first appears at 1 shows no increase
/// to `increase()`, so an alert on it would miss the first dead letter of each process.
struct DeadLetterMetrics: Sendable {
    private let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
        for reason in DeadLetterReason.allCases { _ = counter(reason) }
    }

    func count(_ reason: DeadLetterReason, by amount: Int = 1) {
        guard amount > 0 else { return }
        counter(reason).increment(by: amount)
    }

    /// The factory hands back the one counter of a label set, so this is a lookup, not a new series.
    private func counter(_ reason: DeadLetterReason) -> Counter {
        Counter(label: "sluice_dead_letters_total", dimensions: [("reason", reason.rawValue)], factory: factory)
    }
}
