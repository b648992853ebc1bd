import Logging
import NIOCore
import ServiceLifecycle
import SluiceCore
import Synchronization

/// What the edge logs about calls it refuses: the first of each kind (source, reason and status)
/// at once, then how many more there were, at most once per `interval`; a kind with no more
/// refusals for a whole interval is forgotten, so its next one is logged at once again.
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

    private struct Tally {
        var since: ContinuousClock.Instant
        var more = 0
        /// Kept as the address, formatted only if a line is written.
        var lastRemote: SocketAddress?
    }

    private let logger: Logger
    let interval: Duration
    private let tallies = Mutex<[Kind: Tally]>([:])

    init(logger: Logger, interval: Duration = .seconds(30)) {
        self.logger = logger
        self.interval = interval
    }

    /// Records one refused call; logs it if it is the first of its kind in a while.
    /// `error`: what failed behind the refusal (Redis's error for `store_unavailable`).
    func refused(_ kind: Kind, remote: SocketAddress?, error: String? = nil, now: ContinuousClock.Instant = .now) {
        let first = tallies.withLock { tallies in
            if tallies[kind] == nil {
                tallies[kind] = Tally(since: now)
                return true
            }
            tallies[kind]?.more += 1
            tallies[kind]?.lastRemote = remote
            return false
        }
        guard first else { return }
        var metadata = Self.metadata(kind)
        if let remote = remote?.ipAddress { metadata["remote"] = "\(remote)" }
        if let error { metadata["error"] = "\(error)" }
        log(kind, kind.status == 503 ? "ingest refused" : "ingest rejected", metadata)
    }

    /// Logs, for each kind whose interval is over (every kind, with `all`), how many more calls
    /// it refused in it.
    func flush(now: ContinuousClock.Instant = .now, all: Bool = false) {
        let due = tallies.withLock { tallies in
            var due: [(Kind, Tally)] = []
            for (kind, tally) in tallies where all || now - tally.since >= interval {
                if tally.more > 0 {
                    due.append((kind, tally))
                    tallies[kind] = Tally(since: now)
                } else {
                    tallies[kind] = nil
                }
            }
            return due
        }
        for (kind, tally) in due.sorted(by: { $0.0 < $1.0 }) {
            var metadata = Self.metadata(kind)
            metadata["count"] = "\(tally.more)"
            metadata["over"] = "\((now - tally.since).logText)"
            if let remote = tally.lastRemote?.ipAddress { metadata["last_remote"] = "\(remote)" }
            log(kind, kind.status == 503 ? "more ingest calls refused" : "more ingest calls rejected", metadata)
        }
    }

    func run() async throws {
        // Once a second, so each kind's count goes out within a second of its interval's end.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                self.flush()
            }
        }
        // What was counted but not yet said, at shutdown.
        flush(all: true)
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
