public import SluiceCore

/// How one ingress entry is routed: its deliveries, none meaning a `no_route` dead letter.
/// ``WorkerStore/route(_:nowMillis:retention:)`` writes many of these in one script call.
public struct EventRouting: Sendable, Equatable {
    /// The claimed ingress entry (its stream id is what gets acknowledged).
    public var entry: IngressEntry
    /// Its decoded event.
    public var event: IngressEvent
    /// One per matched endpoint; empty dead-letters the event as `no_route`.
    public var deliveries: [Delivery]

    public init(entry: IngressEntry, event: IngressEvent, deliveries: [Delivery]) {
        self.entry = entry
        self.event = event
        self.deliveries = deliveries
    }
}
