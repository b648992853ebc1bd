/// The retry schedule of one endpoint as maths: how long to wait before each attempt.
///
/// `schedule[i]` is the delay before attempt `i + 1`, so there are `schedule.count` attempts in all.
/// Delays are whole milliseconds, the resolution of the retry set's scores.
public struct RetryPolicy: Sendable, Equatable {
    /// Delay before attempt 1, 2, ….
    public var schedule: [Duration]
    /// Each scheduled delay is spread uniformly by ± this fraction (clamped to 0...1).
    public var jitter: Double

    /// Creates a policy from explicit values.
    public init(schedule: [Duration], jitter: Double) {
        self.schedule = schedule
        self.jitter = jitter
    }

    /// Creates the policy of an endpoint's `retry:` block.
    public init(_ config: RetryConfig) {
        self.init(schedule: config.schedule, jitter: config.jitter)
    }

    /// How many attempts the schedule allows in all.
    public var attemptCount: Int { schedule.count }

    /// The largest step of the schedule; caps a `Retry-After`.
    public var largestStep: Duration { schedule.max() ?? .zero }

    /// The longest the whole schedule can take: every step at its largest jitter.
    ///
    /// A delivery held back by an open circuit (which parks it without an attempt) is given up
    /// once it has waited about this long, so an endpoint that stays down does not keep its
    /// deliveries in the retry set forever instead of in the dead letters, where they can be replayed.
    public var span: Duration {
        let spread = min(max(jitter, 0), 1)
        // In Double, which does not overflow, then saturated: a schedule of a million century-long
        // steps is absurd but loads, and must not crash the worker when its circuit opens.
        let millis = schedule.reduce(0.0) { $0 + Double(max(0, $1.wholeMilliseconds)) }
        return .milliseconds(Int64(min((millis * (1 + spread)).rounded(.up), 9.2e18)))
    }

    /// The delay before attempt `n` (1-based), or nil when the schedule has no attempt `n`.
    ///
    /// The scheduled step is jittered; a `Retry-After` (capped at ``largestStep``) is a floor on the
    /// result, not jittered, because the receiver asked not to be called earlier. Never negative.
    public func delay(
        beforeAttempt n: Int,
        retryAfter: Duration?,
        random: inout some RandomNumberGenerator
    ) -> Duration? {
        guard n >= 1, n <= schedule.count else { return nil }
        let stepMillis = max(0, schedule[n - 1].wholeMilliseconds)
        var millis = stepMillis
        let spread = min(max(jitter, 0), 1)
        if spread > 0, stepMillis > 0 {
            let factor = 1 + spread * Double.random(in: -1...1, using: &random)
            millis = max(0, Int64((Double(stepMillis) * factor).rounded()))
        }
        if let retryAfter {
            let cap = max(0, largestStep.wholeMilliseconds)
            let asked = min(max(0, retryAfter.wholeMilliseconds), cap)
            millis = max(millis, asked)
        }
        return .milliseconds(millis)
    }
}
