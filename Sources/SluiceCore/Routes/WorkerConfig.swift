/// The `worker:` block.
public struct WorkerConfig: Sendable, Equatable {
    /// How long a claimed message may stay pending before another worker reclaims it;
    /// always above the longest endpoint timeout (`auto` resolves to it plus 30 s).
    public var visibilityTimeout: Duration
    /// How long attempt records are kept for `sluice events show`.
    public var attemptLogRetention: Duration

    /// Creates a worker configuration.
    public init(visibilityTimeout: Duration = .seconds(45), attemptLogRetention: Duration = .seconds(7 * 86400)) {
        self.visibilityTimeout = visibilityTimeout
        self.attemptLogRetention = attemptLogRetention
    }
}
