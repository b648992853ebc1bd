import Foundation
import SluiceCore

/// A webhook call as far as its head tells: the source it names and its Standard Webhooks
/// headers, checked in the order the edge answers them (404, then 400, then 413).
struct IngressRequest: Sendable {
    let target: WebhookTarget
    let source: EdgeSnapshot.Source
    let id: String
    let timestamp: String
    let signature: String
    /// The body's `Content-Encoding` when it names a coding (`identity` names none).
    let contentCoding: String?

    /// - Throws: the rejection for an unknown source, a missing header, or a declared
    ///   `content-length` above the source's `max_body`.
    init(target: WebhookTarget, headers: WebhookHeaders, snapshot: EdgeSnapshot) throws(IngressRejection) {
        guard let source = snapshot.sources[target.source] else { throw .unknownSource(target.source) }
        let (id, timestamp, signature) = try Self.checkHeaders(id: headers.id, timestamp: headers.timestamp, signature: headers.signature)
        if let declared = headers.contentLength, Self.exceeds(declared, source.config.maxBody) {
            throw .bodyTooLarge(limit: source.config.maxBody)
        }
        self.target = target
        self.source = source
        self.id = id
        self.timestamp = timestamp
        self.signature = signature
        self.contentCoding = Self.coding(headers.contentEncoding)
    }

    /// The Standard Webhooks headers a call must carry before its signature is checked.
    static func checkHeaders(id: String?, timestamp: String?, signature: String?) throws(IngressRejection) -> (
        id: String, timestamp: String, signature: String
    ) {
        guard let id, !id.isEmpty else { throw .missingHeader("webhook-id") }
        // Bytes that are not UTF-8 arrive repaired (U+FFFD), so two different ids could read as one
        // and the second be taken for a duplicate of the first.
        guard !id.unicodeScalars.contains("\u{FFFD}") else { throw .invalidWebhookID() }
        guard let timestamp else { throw .missingHeader("webhook-timestamp") }
        guard let signature, !signature.isEmpty else { throw .missingHeader("webhook-signature") }
        return (id, timestamp, signature)
    }

    /// The coding a `Content-Encoding` value names, if any (`identity` names none).
    static func coding(_ contentEncoding: String?) -> String? {
        let coding = contentEncoding.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return coding.flatMap { $0.isEmpty || $0 == "identity" ? nil : $0 }
    }

    var maxBody: Int { source.config.maxBody }

    /// The event type of a verified body the edge stores.
    ///
    /// - Throws: 415 when the body is encoded, 400 when it is not JSON or not a JSON object.
    static func checkBody(_ body: [UInt8], coding: String?) throws(IngressRejection) -> String {
        // An encoded body would be stored and delivered as bytes no tenant could read as the
        // event; refusing it says why, where "not valid JSON" would not.
        if let coding { throw .unsupportedContentEncoding(coding) }
        switch JSONEventScan(body) {
        case .invalid: throw .invalidJSON()
        case .notAnObject: throw .notAnObject()
        case .object(let type): return type
        }
    }

    /// Whether a declared `content-length` is above `limit`. The HTTP parser takes lengths up to
    /// 2^64 − 1, and those past `Int.max` do not parse as an `Int`: they are above any limit too.
    static func exceeds(_ declared: String, _ limit: Int) -> Bool {
        let digits = declared.trimmingCharacters(in: .whitespaces)
        if let length = Int(digits) { return length > limit }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    func verify(body: [UInt8], now: Int64, keySet: JSONWebKeySet?) -> WebhookVerification {
        source.verifier.verify(
            id: id, timestamp: timestamp, signatureHeader: signature, body: body, now: now,
            keySet: keySet, jwksConfigured: source.hasKeySet)
    }

    /// The event to store once the signature holds.
    ///
    /// - Throws: 415 when the body is compressed (or otherwise encoded), 400 when it is not JSON
    ///   or not a JSON object.
    func event(body: [UInt8], receivedAtMillis: Int64) throws(IngressRejection) -> IngressEvent {
        let eventType = try Self.checkBody(body, coding: contentCoding)
        return IngressEvent(
            webhookID: id,
            source: target.source,
            channel: target.channel,
            eventType: eventType,
            webhookTimestamp: Int64(timestamp) ?? 0,
            receivedAtMillis: receivedAtMillis,
            body: body
        )
    }
}
