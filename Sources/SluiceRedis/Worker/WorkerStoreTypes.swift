public import SluiceCore

/// An ingress stream entry claimed by the router stage.
public struct IngressEntry: Sendable, Equatable {
    /// The ingress stream entry id.
    public var streamID: String
    /// The decoded event; nil when the entry's fields cannot be decoded (it stays pending and is logged).
    public var event: IngressEvent?

    public init(streamID: String, event: IngressEvent?) {
        self.streamID = streamID
        self.event = event
    }
}

/// A deliveries stream entry claimed by the delivery stage.
public struct DeliveryEntry: Sendable, Equatable {
    /// The deliveries stream entry id (what is XACKed).
    public var streamID: String
    /// The delivery it carries.
    public var delivery: Delivery
    /// The partition whose deliveries stream holds it (`redis.partitions`), where it is settled.
    public var partition: Int

    public init(streamID: String, delivery: Delivery, partition: Int = 0) {
        self.streamID = streamID
        self.delivery = delivery
        self.partition = partition
    }
}

/// Deliveries read from the stream, and the ids of entries that did not decode.
public struct DeliveryBatch: Sendable, Equatable {
    public var entries: [DeliveryEntry] = []
    public var undecodable: [String] = []

    public init(entries: [DeliveryEntry] = [], undecodable: [String] = []) {
        self.entries = entries
        self.undecodable = undecodable
    }
}

/// The stream an undecodable entry was found on.
public enum UndecodableStream: String, Sendable {
    case ingress
    case deliveries
}

/// What happens to a claimed delivery after an attempt (or without one).
public enum DeliveryResolution: Sendable, Equatable {
    /// 2xx: done.
    case delivered
    /// Failed with attempts left: `next` (attempt already incremented, last status/error set) waits until `dueAtMillis`.
    case retry(next: Delivery, dueAtMillis: Int64)
    /// Dead-lettered with this reason and the last status/error.
    case deadLetter(DeadLetterReason, lastStatus: Int?, lastError: String?)
    /// Not attempted: back to the retry set unchanged until `dueAtMillis` (used on shutdown, to
    /// hand queued deliveries to other workers at once).
    case park(dueAtMillis: Int64)
    /// Not attempted because its endpoint cannot take it now (rate limit, full lane, open
    /// circuit): into the endpoint's waiting line — at the back, or at the `front` for a delivery
    /// that had already been released from it. The line releases next at `dueAtMillis` if that is
    /// sooner than it would have, or, to `postpone` it (an open circuit: nothing can go before it
    /// reopens; or a released delivery that is back: the endpoint still cannot take more), if that
    /// is later.
    case wait(dueAtMillis: Int64, front: Bool, postpone: Bool = false)
}

/// One dead letter, as `sluice dlq list` shows it.
public struct DeadLetterEntry: Sendable, Equatable {
    /// The dead letter's id (its stream entry id in the DLQ).
    public var id: String
    /// The delivery as it was when it died; for `no_route` the target is empty (`tenant` and `endpoint` are "").
    public var delivery: Delivery
    public var reason: DeadLetterReason
    public var lastStatus: Int?
    public var lastError: String?
    /// Attempts made before it was dead-lettered (0 for `no_route`).
    public var attempts: Int
    public var deadLetteredAtMillis: Int64

    public init(id: String, delivery: Delivery, reason: DeadLetterReason, lastStatus: Int?, lastError: String?, attempts: Int, deadLetteredAtMillis: Int64) {
        self.id = id
        self.delivery = delivery
        self.reason = reason
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.attempts = attempts
        self.deadLetteredAtMillis = deadLetteredAtMillis
    }
}

/// One line of an event's attempt history.
public struct LoggedAttempt: Sendable, Equatable {
    public var target: EndpointRef
    public var record: AttemptRecord

    public init(target: EndpointRef, record: AttemptRecord) {
        self.target = target
        self.record = record
    }
}

/// What the router recorded about an event (for `sluice events show`).
public struct EventRecord: Sendable, Equatable {
    public var webhookID: String
    public var source: String
    public var channel: String?
    public var eventType: String
    public var receivedAtMillis: Int64
    public var routedAtMillis: Int64
    /// The endpoints it was routed to; empty for `no_route`.
    public var targets: [EndpointRef]

    public init(webhookID: String, source: String, channel: String?, eventType: String, receivedAtMillis: Int64, routedAtMillis: Int64, targets: [EndpointRef]) {
        self.webhookID = webhookID
        self.source = source
        self.channel = channel
        self.eventType = eventType
        self.receivedAtMillis = receivedAtMillis
        self.routedAtMillis = routedAtMillis
        self.targets = targets
    }
}

/// Queue depths for `sluice status` and the worker's gauges.
public struct StoreStatus: Sendable, Equatable {
    public var ingressLength: Int
    public var ingressPending: Int
    public var deliveriesLength: Int
    public var deliveriesPending: Int
    public var retryBacklog: Int
    public var deadLetters: Int
    /// Deliveries in endpoints' waiting lines, all endpoints together.
    public var waiting: Int

    public init(
        ingressLength: Int, ingressPending: Int, deliveriesLength: Int, deliveriesPending: Int, retryBacklog: Int, deadLetters: Int,
        waiting: Int = 0
    ) {
        self.ingressLength = ingressLength
        self.ingressPending = ingressPending
        self.deliveriesLength = deliveriesLength
        self.deliveriesPending = deliveriesPending
        self.retryBacklog = retryBacklog
        self.deadLetters = deadLetters
        self.waiting = waiting
    }
}
