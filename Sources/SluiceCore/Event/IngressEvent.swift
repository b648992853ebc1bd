/// A verified webhook call as the edge stores it on the ingress stream.
///
/// The raw body is kept byte for byte: tenants receive exactly what the sender signed.
public struct IngressEvent: Sendable, Equatable {
    /// The sender's `webhook-id`; stays the same on every delivery attempt and replay.
    public var webhookID: String
    /// The source name from the ingress path (`/webhooks/{source}`).
    public var source: String
    /// The optional channel path segment (`/webhooks/{source}/{channel}`).
    public var channel: String?
    /// The body's `type` field, or "" when the body has no string `type`.
    public var eventType: String
    /// The sender's `webhook-timestamp`, unix seconds.
    public var webhookTimestamp: Int64
    /// When the edge accepted the event, unix milliseconds.
    public var receivedAtMillis: Int64
    /// The raw request body.
    public var body: [UInt8]

    public init(
        webhookID: String,
        source: String,
        channel: String?,
        eventType: String,
        webhookTimestamp: Int64,
        receivedAtMillis: Int64,
        body: [UInt8]
    ) {
        self.webhookID = webhookID
        self.source = source
        self.channel = channel
        self.eventType = eventType
        self.webhookTimestamp = webhookTimestamp
        self.receivedAtMillis = receivedAtMillis
        self.body = body
    }
}
