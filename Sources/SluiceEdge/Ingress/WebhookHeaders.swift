import HTTPTypes

/// The request headers the ingress path reads, gathered in one pass over the fields.
///
/// `HTTPFields`' subscript scans every field and builds a new joined String on each call, and
/// the ingress path reads four names per request. Repeated fields are joined with ", " exactly
/// as the subscript joins them, so what is verified does not change.
struct WebhookHeaders {
    var id: String?
    var timestamp: String?
    var signature: String?
    var contentLength: String?

    init(_ fields: HTTPFields) {
        for field in fields {
            switch field.name {
            case Self.webhookID: Self.add(field.value, to: &id)
            case Self.webhookTimestamp: Self.add(field.value, to: &timestamp)
            case Self.webhookSignature: Self.add(field.value, to: &signature)
            case .contentLength: Self.add(field.value, to: &contentLength)
            default: continue
            }
        }
    }

    private static func add(_ value: String, to slot: inout String?) {
        if let existing = slot {
            slot = existing + ", " + value
        } else {
            slot = value
        }
    }

    static let webhookID = HTTPField.Name("webhook-id")!
    static let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
    static let webhookSignature = HTTPField.Name("webhook-signature")!
}
