/// One (event, endpoint) pair in flight: what the delivery stage claims, retries and dead-letters.
///
/// Carries the event itself (not only its id) so an attempt needs no second Redis read;
/// see `Delivery+Fields.swift` for how it is stored.
public struct Delivery: Sendable, Equatable {
    /// The ingress stream entry id the router expanded this delivery from.
    public var ingressID: String
    /// The event to deliver, body byte for byte.
    public var event: IngressEvent
    /// The receiving endpoint.
    public var target: EndpointRef
    /// The 1-based number of the attempt about to be made (`x-sluice-attempt`).
    public var attempt: Int
    /// When attempt 1 was made, unix milliseconds; nil before it.
    public var firstAttemptAtMillis: Int64?
    /// When this delivery's schedule began, unix milliseconds, if not when its event was accepted:
    /// a replay gives a delivery a fresh schedule from the moment it is replayed. nil: the event's
    /// acceptance (see ``scheduleStartMillis``).
    public var scheduledAtMillis: Int64?
    /// The HTTP status of the last attempt, if it got a response.
    public var lastStatus: Int?
    /// The error of the last attempt (transport failure or non-2xx), safe to log.
    public var lastError: String?
    /// Released from its endpoint's waiting line, which took the endpoint's rate-limit token for
    /// it: the attempt goes without taking another, and if it must wait again it rejoins the
    /// line at the front, keeping the endpoint's order.
    public var released: Bool = false

    /// Creates a delivery; a new one starts at attempt 1 with no history.
    public init(
        ingressID: String,
        event: IngressEvent,
        target: EndpointRef,
        attempt: Int = 1,
        firstAttemptAtMillis: Int64? = nil,
        lastStatus: Int? = nil,
        lastError: String? = nil,
        scheduledAtMillis: Int64? = nil
    ) {
        self.ingressID = ingressID
        self.event = event
        self.target = target
        self.attempt = attempt
        self.firstAttemptAtMillis = firstAttemptAtMillis
        self.scheduledAtMillis = scheduledAtMillis
        self.lastStatus = lastStatus
        self.lastError = lastError
    }

    /// `<ingress stream id>/<tenant>/<endpoint>`: unique, because the router gives an endpoint an
    /// event at most once, and stable across retries and replays (so replay can be idempotent).
    public var id: String { Self.id(ingressID: ingressID, target: target) }

    /// The id a delivery of `ingressID` to `target` has.
    public static func id(ingressID: String, target: EndpointRef) -> String {
        "\(ingressID)/\(target.tenant)/\(target.endpoint)"
    }

    /// When the schedule's clock started: the first delay counts from here, and so does an open
    /// circuit's patience until attempt 1 is made.
    public var scheduleStartMillis: Int64 { scheduledAtMillis ?? event.receivedAtMillis }

    /// The same delivery with a fresh schedule starting at `nowMillis`, as `sluice dlq replay`
    /// enqueues it.
    public func restarted(atMillis nowMillis: Int64) -> Delivery {
        Delivery(ingressID: ingressID, event: event, target: target, scheduledAtMillis: nowMillis)
    }
}
