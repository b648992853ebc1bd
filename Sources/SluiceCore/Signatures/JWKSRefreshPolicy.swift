import Foundation

/// When to fetch a source's JWKS: a pure state machine the edge keeps per source, under a lock.
///
/// - A fetched set is fresh for its `Cache-Control: max-age` (default 600 s).
/// - Fetch attempts of any kind (first fetch, expiry, unknown `kid`, failed JWKS verification,
///   retry after an outage) start at most once per `minimumRefetchInterval` (60 s), and never two
///   at once, so neither a flood of forged tokens nor a JWKS outage turns into a flood of fetches.
///
/// Typical use: under the lock, `if policy.claimFetch(now:, afterMiss:)` then fetch outside it, and
/// report back with ``recordFetch(now:maxAge:)`` or ``recordFailure(now:)``.
public struct JWKSRefreshPolicy: Sendable, Equatable {
    /// Freshness when the response carries no usable max-age, in seconds.
    public var defaultMaxAge: Int64
    /// The least time between the starts of two fetches, in seconds.
    public var minimumRefetchInterval: Int64

    /// When the last fetch started, unix seconds.
    public private(set) var lastAttemptAt: Int64?
    /// Until when the cached set is fresh, unix seconds; nil before the first successful fetch.
    public private(set) var freshUntil: Int64?
    /// When the in-flight fetch started; nil when none is running.
    public private(set) var inFlightSince: Int64?
    /// Whether the last fetch that finished failed: a cached set may then lack keys its issuer
    /// has published since, so a key it does not hold proves nothing.
    public private(set) var lastFetchFailed = false

    /// A policy with nothing fetched yet.
    public init(defaultMaxAge: Int64 = 600, minimumRefetchInterval: Int64 = 60) {
        self.defaultMaxAge = defaultMaxAge
        self.minimumRefetchInterval = minimumRefetchInterval
    }

    /// The `max-age` of a `Cache-Control` header value, in seconds; nil when absent or invalid.
    /// `no-store`/`no-cache` yield 0, which the refetch interval still rate-limits.
    public static func maxAge(fromCacheControl header: String?) -> Int64? {
        guard let header else { return nil }
        var result: Int64?
        for directive in header.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            switch parts.first {
            case "max-age" where parts.count == 2:
                let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                if let seconds = Int64(value), seconds >= 0 {
                    result = seconds
                } else if !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    // RFC 9111 §1.2.2: a delta-seconds too large to hold is taken as 2^31.
                    result = 1 << 31
                }
            case "no-store", "no-cache":
                return 0
            default:
                continue
            }
        }
        return result
    }

    /// Whether a cached set exists and is within its max-age.
    public func isFresh(now: Int64) -> Bool {
        guard let freshUntil else { return false }
        return now < freshUntil
    }

    /// Whether a fetch is due because there is no fresh set, and the rate limit allows one.
    public func shouldFetch(now: Int64) -> Bool {
        !isFresh(now: now) && mayStartFetch(now: now)
    }

    /// Whether an unknown `kid`, a missing Ed25519 key or a failed JWKS verification may trigger a
    /// refetch now, even though the cached set is still fresh.
    public func mayRefetchAfterMiss(now: Int64) -> Bool {
        mayStartFetch(now: now)
    }

    /// Checks and claims in one step (call under the lock): true means the caller must fetch and
    /// then report with ``recordFetch(now:maxAge:)`` or ``recordFailure(now:)``.
    public mutating func claimFetch(now: Int64, afterMiss: Bool) -> Bool {
        guard afterMiss ? mayRefetchAfterMiss(now: now) : shouldFetch(now: now) else { return false }
        lastAttemptAt = now
        inFlightSince = now
        return true
    }

    /// A fetch succeeded; `maxAge` comes from ``maxAge(fromCacheControl:)``.
    public mutating func recordFetch(now: Int64, maxAge: Int64?) {
        inFlightSince = nil
        lastAttemptAt = lastAttemptAt.map { max($0, now) } ?? now
        let (until, overflow) = now.addingReportingOverflow(max(0, maxAge ?? defaultMaxAge))
        freshUntil = overflow ? .max : until
        lastFetchFailed = false
    }

    /// A fetch failed; any cached set stays as it was (callers may keep using a stale set).
    public mutating func recordFailure(now: Int64) {
        inFlightSince = nil
        lastFetchFailed = true
        lastAttemptAt = lastAttemptAt.map { max($0, now) } ?? now
    }

    /// Seconds until the next fetch may start, for a 503's `Retry-After` (at least 1).
    public func retryAfterSeconds(now: Int64) -> Int64 {
        guard let lastAttemptAt else { return 1 }
        return max(1, lastAttemptAt + minimumRefetchInterval - now)
    }

    private func mayStartFetch(now: Int64) -> Bool {
        // A fetch that never reported back (cancelled task) stops blocking after one interval.
        if let inFlightSince, now - inFlightSince < minimumRefetchInterval { return false }
        guard let lastAttemptAt else { return true }
        return now - lastAttemptAt >= minimumRefetchInterval
    }
}
