import Logging
import SluiceCore

/// What a loop that retries through a Redis outage writes to the log: the first failure, then a
/// reminder every `repeatEvery` with how many tries failed, and one line when it works again.
///
/// The loops retry every few hundred milliseconds (the retry mover every 50 ms); a line per try
/// buried an outage's first line under thousands of copies of it.
struct OutageLog {
    /// What the loop could not do, as the start of a sentence: "cannot read the deliveries stream".
    let failing: String
    /// The line once Redis answers: "reading the deliveries stream again".
    let resumed: String
    let repeatEvery: Duration
    /// The level of the failure lines (the line saying it works again is `info`).
    let level: Logger.Level
    private var outage: (since: ContinuousClock.Instant, failures: Int, loggedAt: ContinuousClock.Instant)?

    init(failing: String, resumed: String, repeatEvery: Duration = .seconds(30), level: Logger.Level = .error) {
        self.failing = failing
        self.resumed = resumed
        self.repeatEvery = repeatEvery
        self.level = level
    }

    /// Whether the loop is between a failure and its next success.
    var isFailing: Bool { outage != nil }

    /// Records a failed try; logs it if it is the first or a reminder is due.
    mutating func failed(_ error: any Error, logger: Logger, metadata: Logger.Metadata = [:], now: ContinuousClock.Instant = .now) {
        guard var current = outage else {
            logger.log(level: level, "\(failing); retrying", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            outage = (now, 1, now)
            return
        }
        current.failures += 1
        if now - current.loggedAt >= repeatEvery {
            logger.log(
                level: level, "\(failing); still retrying",
                metadata: metadata.merging(["error": "\(error)", "failures": "\(current.failures)", "since": "\((now - current.since).logText)"]) { $1 })
            current.loggedAt = now
        }
        outage = current
    }

    /// Records a successful try; logs the end of an outage.
    mutating func succeeded(logger: Logger, metadata: Logger.Metadata = [:], now: ContinuousClock.Instant = .now) {
        guard let ended = outage else { return }
        logger.info(
            "\(resumed)",
            metadata: metadata.merging(["failures": "\(ended.failures)", "after": "\((now - ended.since).logText)"]) { $1 })
        outage = nil
    }
}
