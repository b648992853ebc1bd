import SluiceCore
import SluiceRedis
import Synchronization

/// This worker's recent attempts per endpoint, in memory, for the console: the last
/// `EndpointSummary.window` outcomes and durations, attempts running now, and the last error.
/// Published every few seconds (`EndpointActivityPublisher`), never per attempt.
final class EndpointActivity: Sendable {
    private struct Recent {
        var succeeded: [Bool] = []
        var millis: [Int64] = []
        /// When each kept attempt ended (unix ms), for the per-minute rates.
        var endedAt: [Int64] = []
        var next = 0
        var inFlight = 0
        var lastError: String?
        var lastErrorAtMillis: Int64?
        var changed = true

        mutating func record(succeeded: Bool?, duration: Duration, error: String?, atMillis: Int64) {
            inFlight = max(0, inFlight - 1)
            changed = true
            guard let succeeded else { return }
            let millis = duration.wholeMilliseconds
            if self.succeeded.count < EndpointSummary.window {
                self.succeeded.append(succeeded)
                self.millis.append(millis)
                endedAt.append(atMillis)
            } else {
                self.succeeded[next] = succeeded
                self.millis[next] = millis
                endedAt[next] = atMillis
                next = (next + 1) % EndpointSummary.window
            }
            if !succeeded, let error {
                lastError = String(error.prefix(300))
                lastErrorAtMillis = atMillis
            }
        }
    }

    private let endpoints = Mutex<[EndpointRef: Recent]>([:])

    func started(_ ref: EndpointRef) {
        endpoints.withLock { $0[ref, default: Recent()].inFlight += 1 }
    }

    /// An attempt ended; `succeeded` nil when it was abandoned (shutdown) and counts for nothing.
    func finished(_ ref: EndpointRef, succeeded: Bool?, duration: Duration, error: String?, atMillis: Int64) {
        // Changed in place: a copy taken out of the dictionary would share its three arrays with
        // the one left in it, and the first write would then copy each of them whole.
        endpoints.withLock { $0[ref, default: Recent()].record(succeeded: succeeded, duration: duration, error: error, atMillis: atMillis) }
    }

    /// Summaries of the endpoints whose figures changed since the last call (or all, with `all`).
    ///
    /// Endpoints that `exists` no longer knows (removed from routes.yaml) are forgotten once no
    /// attempt of theirs runs, so they are not published again; the janitor removes what was
    /// published of them once it is old.
    func summaries(
        consumer: String, nowMillis: Int64, all: Bool = false, exists: (EndpointRef) -> Bool = { _ in true }
    ) -> [EndpointSummary] {
        endpoints.withLock { endpoints in
            for (ref, recent) in endpoints where recent.inFlight == 0 && !exists(ref) {
                endpoints[ref] = nil
            }
            var result: [EndpointSummary] = []
            for (ref, recent) in endpoints where recent.changed || all {
                let sorted = recent.millis.sorted()
                // Of the kept attempts, those of the last minute (a busier endpoint's rate is at
                // least what the window holds: shown as "200+" by the console).
                let recentIndices = recent.endedAt.indices.filter { recent.endedAt[$0] > nowMillis - 60_000 }
                func percentile(_ p: Double) -> Int64 { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
                result.append(EndpointSummary(
                    endpoint: ref.description, consumer: consumer, atMillis: nowMillis, attempts: recent.succeeded.count,
                    succeeded: recent.succeeded.filter { $0 }.count, p50Millis: percentile(0.5), p95Millis: percentile(0.95),
                    p99Millis: percentile(0.99), inFlight: recent.inFlight, lastError: recent.lastError,
                    lastErrorAtMillis: recent.lastErrorAtMillis, lastMinute: recentIndices.count,
                    failedLastMinute: recentIndices.filter { !recent.succeeded[$0] }.count))
                endpoints[ref]?.changed = false
            }
            return result
        }
    }
}
