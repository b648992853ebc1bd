/// `N/period`: at most `count` requests per `period`, as a token bucket.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    /// Requests allowed per period (also the bucket size).
    public var count: Int
    /// The refill period.
    public var period: Duration

    /// Creates a limit of `count` requests per `period`.
    public init(count: Int, period: Duration) {
        self.count = count
        self.period = period
    }

    /// Tokens added per second.
    public var perSecond: Double {
        let components = period.components
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return Double(count) / seconds
    }

    /// `50/1s`-style text.
    public var description: String { "\(count)/\(RoutesScalarParser.format(period))" }
}
