import ServiceLifecycle
import Synchronization

/// Counts occurrences per key for a log that must not write a line per occurrence when
/// something outside the process decides how many there are (callers, endpoints): the first of
/// a key is said at once, then how many more came, at most once per `interval`; a key with none
/// for a whole interval is forgotten, so its next one is said at once again.
public final class IntervalTally<Key: Hashable & Comparable & Sendable, Detail: Sendable>: Sendable {
    /// What a key's interval held beyond its first occurrence.
    public struct Count: Sendable {
        public let key: Key
        /// Occurrences after the one said at once (or after the last count).
        public let more: Int
        /// When the interval began.
        public let since: ContinuousClock.Instant
        /// The detail of the latest of them.
        public let lastDetail: Detail?
    }

    private struct Tally {
        var since: ContinuousClock.Instant
        var more = 0
        var lastDetail: Detail?
    }

    public let interval: Duration
    private let tallies = Mutex<[Key: Tally]>([:])

    public init(interval: Duration) {
        self.interval = interval
    }

    /// Records one occurrence of `key`; true when it is the first in a while, to be said in full.
    public func record(_ key: Key, detail: Detail?, now: ContinuousClock.Instant) -> Bool {
        tallies.withLock { tallies in
            if tallies[key] == nil {
                tallies[key] = Tally(since: now)
                return true
            }
            tallies[key]?.more += 1
            tallies[key]?.lastDetail = detail
            return false
        }
    }

    /// The keys whose interval is over (every key, with `all`) and that had more occurrences in
    /// it, in key order; their next interval begins now, and the quiet ones are forgotten.
    public func due(now: ContinuousClock.Instant, all: Bool = false) -> [Count] {
        tallies.withLock { tallies in
            var due: [Count] = []
            for (key, tally) in tallies where all || now - tally.since >= interval {
                if tally.more > 0 {
                    due.append(Count(key: key, more: tally.more, since: tally.since, lastDetail: tally.lastDetail))
                    tallies[key] = Tally(since: now)
                } else {
                    tallies[key] = nil
                }
            }
            return due.sorted { $0.key < $1.key }
        }
    }

    /// Runs `flush` once a second until the process shuts down gracefully — so each key's count
    /// goes out within a second of its interval's end — then once more with `all`, for what was
    /// counted but not yet said. For the `run()` of a log service.
    public func flushEverySecond(_ flush: @escaping @Sendable (_ all: Bool) -> Void) async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                flush(false)
            }
        }
        flush(true)
    }
}
