/// Millisecond conversions shared by the retry, isolation and delivery maths.
///
/// Everything that reaches Redis (retry ZSET scores, token bucket state) is whole milliseconds,
/// so the pure core rounds to milliseconds in one place.
enum DeliveryClock {
    /// `duration` in whole milliseconds, rounded towards zero; saturates instead of trapping.
    static func millis(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        return whole &+ attoseconds / 1_000_000_000_000_000
    }
}
