import Logging
import NIOCore
import ServiceLifecycle
import SluiceCore
import SluiceRuntime

/// What the edge logs about calls it refuses: the first of each kind (source, reason and status)
/// at once, then how many more there were, at most once per `interval` (`IntervalTally`).
///
/// Anyone who can reach the edge decides how many calls it refuses: a line per call let a
/// stranger write the log at the rate they send, and while Redis is away every call of the
/// sender's would be a line. `sluice_ingest_total{source,outcome}` counts each one.
final class IngressRefusalLog: Service, Sendable {
    struct Kind: Hashable, Comparable {
        let source: String
        let reason: String
        let status: Int

        static func < (a: Kind, b: Kind) -> Bool { (a.source, a.reason) < (b.source, b.reason) }
    }

    private let logger: Logger
    /// Kept as the address, formatted only if a line is written.
    private let tally: IntervalTally<Kind, SocketAddress>
    var interval: Duration { tally.interval }

    init(logger: Logger, interval: Duration = .seconds(30)) {
        self.logger = logger
        self.tally = IntervalTally(interval: interval)
    }

    /// Records one refused call; logs it if it is the first of its kind in a while.
    /// `error`: what failed behind the refusal (Redis's error for `store_unavailable`).
    func refused(_ kind: Kind, remote: SocketAddress?, error: String? = nil, now: ContinuousClock.Instant = .now) {
        guard tally.record(kind, detail: remote, now: now) else { return }
        var metadata = Self.metadata(kind)
        if let remote = remote?.ipAddress { metadata["remote"] = "\(remote)" }
        if let error { metadata["error"] = "\(error)" }
        log(kind, kind.status == 503 ? "ingest refused" : "ingest rejected", metadata)
    }

    /// Logs, for each kind whose interval is over (every kind, with `all`), how many more calls
    /// it refused in it.
    func flush(now: ContinuousClock.Instant = .now, all: Bool = false) {
        for count in tally.due(now: now, all: all) {
            var metadata = Self.metadata(count.key)
            metadata["count"] = "\(count.more)"
            metadata["over"] = "\((now - count.since).logText)"
            if let remote = count.lastDetail?.ipAddress { metadata["last_remote"] = "\(remote)" }
            log(count.key, count.key.status == 503 ? "more ingest calls refused" : "more ingest calls rejected", metadata)
        }
    }

    func run() async throws {
        await tally.flushEverySecond { all in self.flush(all: all) }
    }

    /// 503s are the edge's own trouble (Redis, durability, JWKS), worth a warning; the others
    /// are the caller's.
    private func log(_ kind: Kind, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        logger.log(level: kind.status == 503 ? .warning : .info, message, metadata: metadata)
    }

    private static func metadata(_ kind: Kind) -> Logger.Metadata {
        ["source": "\(kind.source)", "reason": "\(kind.reason)", "status": "\(kind.status)"]
    }
}
