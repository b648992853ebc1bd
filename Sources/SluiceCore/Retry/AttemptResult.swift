/// What one delivery attempt produced, as the HTTP layer reports it; input to ``DeliveryOutcome``.
public enum AttemptResult: Sendable, Equatable {
    /// A response arrived; `retryAfter` is the raw `Retry-After` header value, if any.
    case response(status: Int, retryAfter: String?)
    /// No response: a transport failure with a message that is safe to log.
    case transportFailure(TransportFailureKind, message: String)
    /// The SSRF guard refused the endpoint's address (the message names the address category).
    case blockedAddress(message: String)

    /// A response, picking `Retry-After` out of the headers (names compared case-insensitively).
    public static func response(status: Int, headers: [(name: String, value: String)]) -> AttemptResult {
        let retryAfter = headers.first { $0.name.lowercased() == "retry-after" }?.value
        return .response(status: status, retryAfter: retryAfter)
    }
}
