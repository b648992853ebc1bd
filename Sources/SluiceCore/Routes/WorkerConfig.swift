/// The `worker:` block.
public struct WorkerConfig: Sendable, Equatable {
    /// How long a claimed message may stay pending before another worker reclaims it;
    /// always above the longest endpoint timeout (`auto` resolves to it plus 30 s).
    public var visibilityTimeout: Duration
    /// How long attempt records are kept for `sluice events show`.
    public var attemptLogRetention: Duration
    /// How long routed events are kept, bodies included, so that every delivery to an endpoint
    /// since a time can be sent again (`sluice replay --endpoint`); zero (the default) keeps none.
    public var recoveryWindow: Duration
    /// How many recently routed events each partition's search index keeps (`event_index`): what
    /// the console's event search and `sluice events list` can find by tenant, endpoint, type,
    /// outcome and time. Zero turns the index off.
    public var eventIndex: Int

    /// Creates a worker configuration.
    public init(
        visibilityTimeout: Duration = .seconds(45), attemptLogRetention: Duration = .seconds(7 * 86400), recoveryWindow: Duration = .zero,
        eventIndex: Int = WorkerConfig.defaultEventIndex
    ) {
        self.visibilityTimeout = visibilityTimeout
        self.attemptLogRetention = attemptLogRetention
        self.recoveryWindow = recoveryWindow
        self.eventIndex = eventIndex
    }

    /// Events per partition the search index keeps unless routes.yaml says otherwise: about
    /// 10 MB of Redis per partition.
    public static let defaultEventIndex = 100_000
    /// The most `event_index` accepts (about 1 GB of Redis per partition).
    public static let maxEventIndex = 10_000_000

    /// The longest `recovery_window` routes.yaml accepts: the archive holds every event's body for that long.
    public static let maxRecoveryWindow = Duration.seconds(7 * 86400)
}
