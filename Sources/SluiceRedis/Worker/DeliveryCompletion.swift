public import SluiceCore

/// What to record for one claimed delivery: the attempt made (if any) and what happens next.
/// ``WorkerStore/complete(_:nowMillis:retention:)`` settles many of these in one script call.
public struct DeliveryCompletion: Sendable, Equatable {
    /// The claimed entry (its stream id is what gets acknowledged).
    public var entry: DeliveryEntry
    /// The attempt to append to the event's attempt log; nil when no attempt was made (parked,
    /// endpoint removed).
    public var attempt: AttemptRecord?
    /// Delivered, retry, dead letter or park.
    public var resolution: DeliveryResolution

    public init(entry: DeliveryEntry, attempt: AttemptRecord?, resolution: DeliveryResolution) {
        self.entry = entry
        self.attempt = attempt
        self.resolution = resolution
    }
}
