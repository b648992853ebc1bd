import Logging
import ServiceLifecycle
import SluiceCore
import SluiceRuntime

/// What the worker logs about attempts that failed and go again later: for each endpoint the
/// first at once (the delivery, its error, when it goes next), then how many more failed and
/// the last error, at most once per `interval` (`IntervalTally`).
///
/// An endpoint that fails often enough to matter fails at the rate its tenant's events come —
/// and one failing every other request never opens its circuit — so a line per attempt wrote
/// the log at that rate. Every attempt stays in the event's log (`sluice events show`, the
/// console) and in `sluice_deliveries_total{outcome="retry"}`; dead letters are still logged one
/// by one.
final class RetryLog: Service, Sendable {
    private let logger: Logger
    private let tally: IntervalTally<EndpointRef, String>

    init(logger: Logger, interval: Duration = .seconds(30)) {
        self.logger = logger
        self.tally = IntervalTally(interval: interval)
    }

    /// Records one failed attempt of a delivery to `endpoint` that will be retried; logs it, with
    /// `metadata`, if it is the endpoint's first in a while.
    func failed(_ endpoint: EndpointRef, error: String, metadata: @autoclosure () -> Logger.Metadata, now: ContinuousClock.Instant = .now) {
        if tally.record(endpoint, detail: error, now: now) {
            logger.info("attempt failed; retrying", metadata: metadata())
        }
    }

    /// Logs, for each endpoint whose interval is over (every endpoint, with `all`), how many more
    /// attempts failed in it.
    func flush(now: ContinuousClock.Instant = .now, all: Bool = false) {
        for count in tally.due(now: now, all: all) {
            logger.info("more attempts failed; retrying", metadata: [
                "tenant": "\(count.key.tenant)", "endpoint": "\(count.key.endpoint)", "count": "\(count.more)",
                "over": "\((now - count.since).logText)", "last_error": "\(count.lastDetail ?? "")",
            ])
        }
    }

    func run() async throws {
        await tally.flushEverySecond { all in self.flush(all: all) }
    }
}
