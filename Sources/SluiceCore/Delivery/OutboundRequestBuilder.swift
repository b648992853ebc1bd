/// Builds the signed outbound request of a delivery attempt (docs/http.md).
///
/// Headers: `content-type: application/json`, `webhook-id` (the inbound id, identical on every
/// attempt and replay), `webhook-timestamp` (this attempt), `webhook-signature` (one `v1,` entry per
/// tenant secret, one `v1a,` per Ed25519 key), `user-agent: sluice/<version>`, the endpoint's static
/// headers, `x-sluice-attempt`, `x-sluice-event-type`, `x-sluice-source`.
///
/// Static headers cannot replace what the receiver relies on: a static header named
/// `content-type`, `webhook-*` or `x-sluice-*`, or a framing header (`content-length`,
/// `transfer-encoding`, `host`, `connection`), is dropped and ours win. A static `user-agent`
/// replaces ours, for receivers whose firewall admits callers by user agent. CR, LF and NUL are
/// removed from every value, as the event type comes from the (untrusted) body.
public struct OutboundRequestBuilder: Sendable {
    /// The version in `user-agent: sluice/<version>`.
    public var version: String {
        didSet { userAgent = "sluice/\(version)" }
    }
    private var userAgent: String

    /// Creates a builder.
    public init(version: String) {
        self.version = version
        self.userAgent = "sluice/\(version)"
    }

    /// The request for `delivery`'s current attempt, signed as of `nowSeconds` (unix seconds).
    public func request(
        for delivery: Delivery,
        endpoint: EndpointConfig,
        tenant: TenantConfig,
        nowSeconds: Int64
    ) -> OutboundRequest {
        let event = delivery.event
        let signature = WebhookSigner.signatureHeader(
            for: SignedContent(id: event.webhookID, timestamp: nowSeconds, body: event.body),
            secrets: tenant.signingSecrets,
            ed25519Keys: tenant.ed25519Keys
        )
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(8 + endpoint.headers.count)
        func add(_ name: String, _ value: String) { headers.append((name, Self.sanitized(value))) }
        add("content-type", "application/json")
        add("webhook-id", event.webhookID)
        add("webhook-timestamp", String(nowSeconds))
        if !signature.isEmpty { add("webhook-signature", signature) }
        let overridesUserAgent = endpoint.headers.contains { !Self.isReserved($0.name) && $0.name.lowercased() == "user-agent" }
        if !overridesUserAgent { add("user-agent", userAgent) }
        for header in endpoint.headers where !Self.isReserved(header.name) { add(header.name, header.value) }
        add("x-sluice-attempt", String(delivery.attempt))
        add("x-sluice-event-type", event.eventType)
        add("x-sluice-source", event.source)
        return OutboundRequest(url: endpoint.url, headers: headers, body: event.body)
    }

    /// Whether a static header would clash with one the receiver relies on.
    static func isReserved(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("webhook-") || lower.hasPrefix("x-sluice-")
            || ["content-type", "content-length", "transfer-encoding", "host", "connection"].contains(lower)
    }

    /// Drops the control characters a header value may not hold (RFC 9110 §5.5: all of C0 but
    /// the tab, and DEL): line breaks would end the line early, and the others make strict
    /// receivers refuse the request, so an event type carrying one would never be delivered.
    static func sanitized(_ value: String) -> String {
        // In UTF-8 these bytes stand only for themselves, so scanning bytes finds exactly them.
        guard value.utf8.contains(where: isForbidden) else { return value }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: value.unicodeScalars.filter { $0.value > 0x7F || !isForbidden(UInt8($0.value)) })
        return String(scalars)
    }

    static func isForbidden(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }
}
