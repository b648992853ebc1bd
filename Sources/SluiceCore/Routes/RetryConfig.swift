/// The `retry:` block of an endpoint.
public struct RetryConfig: Sendable, Equatable {
    /// The default schedule: about 28 h in all, beyond Gemini's own 24 h of retries.
    public static let defaultSchedule: [Duration] = [
        .seconds(0), .seconds(5), .seconds(300), .seconds(1800),
        .seconds(7200), .seconds(18000), .seconds(36000), .seconds(36000),
    ]

    /// `schedule[i]` is the delay before attempt `i + 1`; there are `schedule.count` attempts.
    public var schedule: [Duration]
    /// Each delay is spread by ± this fraction (0.2 for `20%`), in 0...1.
    public var jitter: Double

    /// Creates a retry configuration; the defaults are those docs/routes.md lists.
    public init(schedule: [Duration] = RetryConfig.defaultSchedule, jitter: Double = 0.2) {
        self.schedule = schedule
        self.jitter = jitter
    }
}
