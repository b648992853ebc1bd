import Logging
import ServiceLifecycle
import SluiceCore
import Synchronization

/// What the worker logs about attempts that failed and go again later: for each endpoint the
/// first at once (the delivery, its error, when it goes next), then how many more failed and
/// the last error, at most once per `interval`; an endpoint with no failure for a whole interval
/// is forgotten, so its next one is logged at once again.
///
/// An endpoint that fails often enough to matter fails at the rate its tenant's events come —
/// and one failing every other request never opens its circuit — so a line per attempt wrote
/// the log at that rate. Every attempt stays in the event's log (`sluice events show`, the
/// console) and in `sluice_deliveries_total{outcome="retry"}`; dead letters are still logged one
/// by one.
final class RetryLog: Service, Sendable {
    private struct Tally {
        var since: ContinuousClock.Instant
        var more = 0
        var lastError = ""
    }

    private let logger: Logger
    let interval: Duration
    private let tallies = Mutex<[EndpointRef: Tally]>([:])

    init(logger: Logger, interval: Duration = .seconds(30)) {
        self.logger = logger
        self.interval = interval
    }

    /// Records one failed attempt of a delivery to `endpoint` that will be retried; logs it, with
    /// `metadata`, if it is the endpoint's first in a while.
    func failed(_ endpoint: EndpointRef, error: String, metadata: @autoclosure () -> Logger.Metadata, now: ContinuousClock.Instant = .now) {
        let first = tallies.withLock { tallies in
            if tallies[endpoint] == nil {
                tallies[endpoint] = Tally(since: now)
                return true
            }
            tallies[endpoint]?.more += 1
            tallies[endpoint]?.lastError = error
            return false
        }
        if first { logger.info("attempt failed; retrying", metadata: metadata()) }
    }

    /// Logs, for each endpoint whose interval is over (every endpoint, with `all`), how many more
    /// attempts failed in it.
    func flush(now: ContinuousClock.Instant = .now, all: Bool = false) {
        let due = tallies.withLock { tallies in
            var due: [(EndpointRef, Tally)] = []
            for (endpoint, tally) in tallies where all || now - tally.since >= interval {
                if tally.more > 0 {
                    due.append((endpoint, tally))
                    tallies[endpoint] = Tally(since: now)
                } else {
                    tallies[endpoint] = nil
                }
            }
            return due
        }
        for (endpoint, tally) in due.sorted(by: { $0.0 < $1.0 }) {
            logger.info("more attempts failed; retrying", metadata: [
                "tenant": "\(endpoint.tenant)", "endpoint": "\(endpoint.endpoint)", "count": "\(tally.more)",
                "over": "\((now - tally.since).logText)", "last_error": "\(tally.lastError)",
            ])
        }
    }

    func run() async throws {
        // Once a second, so each endpoint's count goes out within a second of its interval's end.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                self.flush()
            }
        }
        // What was counted but not yet said, at shutdown.
        flush(all: true)
    }
}
