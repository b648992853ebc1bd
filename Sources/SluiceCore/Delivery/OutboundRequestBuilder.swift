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
    public var version: String

    /// Creates a builder.
    public init(version: String) {
        self.version = version
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
        let staticHeaders = endpoint.headers.filter { !Self.isReserved($0.name) }
        let overridesUserAgent = staticHeaders.contains { $0.name.lowercased() == "user-agent" }

        var headers: [(name: String, value: String)] = [
            ("content-type", "application/json"),
            ("webhook-id", event.webhookID),
            ("webhook-timestamp", String(nowSeconds)),
        ]
        if !signature.isEmpty { headers.append(("webhook-signature", signature)) }
        if !overridesUserAgent { headers.append(("user-agent", "sluice/\(version)")) }
        headers += staticHeaders.map { ($0.name, $0.value) }
        headers += [
            ("x-sluice-attempt", String(delivery.attempt)),
            ("x-sluice-event-type", event.eventType),
            ("x-sluice-source", event.source),
        ]
        return OutboundRequest(
            url: endpoint.url,
            headers: headers.map { (name: $0.name, value: Self.sanitized($0.value)) },
            body: event.body
        )
    }

    /// Whether a static header would clash with one the receiver relies on.
    static func isReserved(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("webhook-") || lower.hasPrefix("x-sluice-")
            || ["content-type", "content-length", "transfer-encoding", "host", "connection"].contains(lower)
    }

    /// Drops the bytes that would end a header line early.
    static func sanitized(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else { return value }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" })
        return String(scalars)
    }
}
