import NIOHTTP1
import SluiceCore

/// Why the edge refused a call, with the exact status and the JSON body the sender sees.
///
/// Messages say what to fix; they never say which key almost matched.
struct IngressRejection: Error, Sendable {
    var status: HTTPResponseStatus
    var reason: String
    var message: String
    /// Seconds the sender should wait before retrying (503 only).
    var retryAfter: Int?

    static func unknownSource(_ name: String) -> Self {
        Self(status: .notFound, reason: "unknown_source", message: "no source named '\(name)' is configured")
    }

    static func notAWebhookPath() -> Self {
        Self(status: .notFound, reason: "unknown_path", message: "webhook paths are /webhooks/{source} and /webhooks/{source}/{channel}")
    }

    /// What NIO's decoder refused; the limits are `EdgeHTTPChannel`'s.
    static func unparseable(_ error: HTTPParserError) -> Self {
        if case .headerOverflow = error {
            return Self(
                status: .requestHeaderFieldsTooLarge, reason: "headers_too_large",
                message: "the request's head is larger than the edge accepts: 80 KiB of header fields (each and all together), at most 1,000 of them")
        }
        return Self(status: .badRequest, reason: "malformed_request", message: "the request is not valid HTTP/1.1 (\(error))")
    }

    static func invalidWebhookID() -> Self {
        Self(status: .badRequest, reason: "invalid_webhook_id", message: "the webhook-id header must be UTF-8 text")
    }

    static func missingHeader(_ name: String) -> Self {
        Self(status: .badRequest, reason: "missing_header", message: "the \(name) header is required")
    }

    static func bodyTooLarge(limit: Int) -> Self {
        // RFC 9110's name for 413; NIO's `.payloadTooLarge` has the older one, and the status line stays as it was.
        Self(status: .custom(code: 413, reasonPhrase: "Content Too Large"), reason: "body_too_large", message: "the body is larger than this source's max_body of \(limit) bytes")
    }

    static func invalidJSON() -> Self {
        Self(status: .badRequest, reason: "invalid_json", message: "the body is not valid JSON")
    }

    static func unsupportedContentEncoding(_ coding: String) -> Self {
        Self(
            status: .unsupportedMediaType, reason: "unsupported_content_encoding",
            message: "the body must be sent unencoded (Content-Encoding: \(coding.prefix(40)) is not accepted)")
    }

    static func notAnObject() -> Self {
        Self(status: .badRequest, reason: "not_an_object", message: "the body must be a JSON object")
    }

    static func verification(_ failure: VerificationFailure) -> Self {
        Self(status: failure.isBadRequest ? .badRequest : .unauthorized, reason: failure.reason, message: failure.message)
    }

    static func keysUnavailable(retryAfter: Int) -> Self {
        Self(
            status: .serviceUnavailable, reason: "jwks_unavailable",
            message: "the signing keys needed to verify this request cannot be fetched right now; retry later",
            retryAfter: retryAfter)
    }

    /// `outcomeUnknown`: Redis stopped answering after the write was sent (timeout, connection
    /// lost), so the event may be stored; a retry then gets `200 duplicate`.
    static func storeUnavailable(outcomeUnknown: Bool = false) -> Self {
        Self(
            status: .serviceUnavailable, reason: "store_unavailable",
            message: outcomeUnknown
                ? "Redis stopped answering while the event was being stored, so it may or may not be stored; retry later (if it was, the retry is answered as a duplicate)"
                : "the event could not be stored durably; it was not accepted, retry later",
            retryAfter: 5)
    }

    static func notReplicated() -> Self {
        Self(
            status: .serviceUnavailable, reason: "not_replicated",
            message: "the event did not reach the required Redis replicas in time, so it is not acknowledged; retry later",
            retryAfter: 5)
    }

    /// The reason (Redis down, AOF off, an evicting policy, replicas missing) is the operator's:
    /// it is in the edge's log and on `/readyz`, not told to whoever sends a webhook.
    static func durabilityUnmet() -> Self {
        Self(
            status: .serviceUnavailable, reason: "durability_unmet",
            message: "the gateway cannot confirm right now that Redis keeps events durably, so it accepts none; retry later (its log and /readyz say why)",
            retryAfter: 5)
    }

    static func requestTimeout() -> Self {
        Self(
            status: .requestTimeout, reason: "request_timeout",
            message: "the request was not received in full within the edge's request timeout")
    }

    static func bufferFull() -> Self {
        Self(
            status: .serviceUnavailable, reason: "buffer_full",
            message: "the edge is holding as many request bodies as it may; retry later", retryAfter: 1)
    }

    static func methodNotAllowed() -> Self {
        Self(status: .methodNotAllowed, reason: "method_not_allowed", message: "webhooks are accepted with POST only")
    }

    var answer: IngressAnswer {
        IngressAnswer(
            status: status, body: JSONBody.encode(["error": .string(message), "reason": .string(reason)]), outcome: reason,
            retryAfter: retryAfter)
    }
}
