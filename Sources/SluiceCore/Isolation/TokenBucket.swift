/// Token bucket for an endpoint's `rate_limit: N/period`, burst N; times are unix ms.
///
/// The maths is integral so that this type and the Redis script (``luaSource``, shared by all
/// workers) give identical answers: one token is `periodMillis` credit units, the bucket holds
/// `capacity × periodMillis` units, and every millisecond adds `capacity` units. Lua numbers are
/// doubles, exact for integers below 2^53, which these stay under for any sane limit.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens the bucket holds when full (the N of `N/period`).
    public let capacity: Int64
    /// The refill period in milliseconds (at least 1).
    public let periodMillis: Int64
    /// Current credit in units of 1/periodMillis token.
    public private(set) var units: Int64
    /// When `units` was last brought up to date, unix ms.
    public private(set) var updatedAtMillis: Int64

    /// A full bucket for `limit`, as of `nowMillis`.
    public init(limit: RateLimit, nowMillis: Int64) {
        self.init(capacity: Int64(limit.count), periodMillis: limit.period.wholeMilliseconds, nowMillis: nowMillis)
    }

    /// A full bucket of `capacity` tokens refilled over `periodMillis`.
    public init(capacity: Int64, periodMillis: Int64, nowMillis: Int64) {
        self.capacity = max(1, capacity)
        self.periodMillis = max(1, periodMillis)
        self.units = self.capacity * self.periodMillis
        self.updatedAtMillis = nowMillis
    }

    /// The bucket as the Redis script left it (its hash's `u` and `t`), so a reader such as
    /// `sluice status` can tell with the same maths whether a token is there, without taking one.
    public init(capacity: Int64, periodMillis: Int64, units: Int64, updatedAtMillis: Int64) {
        self.init(capacity: capacity, periodMillis: periodMillis, nowMillis: updatedAtMillis)
        self.units = min(max(0, units), self.capacity * self.periodMillis)
    }

    /// Milliseconds until a token is there as of `nowMillis` (nil: one is there now); takes nothing.
    public func waitMillis(nowMillis: Int64) -> Int64? {
        var copy = self
        return copy.take(nowMillis: nowMillis).map(\.wholeMilliseconds)
    }

    /// Takes one token: nil when the request may go now, else how long until a token is there.
    public mutating func take(nowMillis: Int64) -> Duration? {
        let full = capacity * periodMillis
        // Clamping the elapsed time first keeps `elapsed × capacity` from overflowing; a clock that
        // went backwards adds nothing. The last update is read back from Redis, where anything may
        // be written: a difference past Int64 is a full period or nothing, not a trap.
        let (difference, overflow) = nowMillis.subtractingReportingOverflow(updatedAtMillis)
        let elapsed = overflow ? (nowMillis > updatedAtMillis ? periodMillis : 0) : min(max(0, difference), periodMillis)
        units = min(full, units + elapsed * capacity)
        updatedAtMillis = max(updatedAtMillis, nowMillis)
        if units >= periodMillis {
            units -= periodMillis
            return nil
        }
        let waitMillis = (periodMillis - units + capacity - 1) / capacity
        return .milliseconds(waitMillis)
    }

    /// `ARGV` for ``luaSource``: capacity, period ms, now ms.
    public func scriptArguments(nowMillis: Int64) -> [String] {
        [String(capacity), String(periodMillis), String(nowMillis)]
    }
}
