/// Why a request produced no response. Every kind except `.invalidRequest` and `.shutdown`
/// is a transient delivery failure that the retry schedule handles.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// Failure classes the worker maps to retry or dead-letter decisions.
    public enum Kind: String, Sendable, Hashable {
        /// The total or connect timeout elapsed.
        case timeout
        /// TCP connection refused or unreachable.
        case connect
        /// TLS handshake or certificate verification failed, or a CA/client cert file is unusable.
        case tls
        /// The host name did not resolve.
        case dns
        /// The request cannot be sent as given (bad URL, scheme, method or header).
        case invalidRequest
        /// The client was shut down before the request finished.
        case shutdown
        /// The calling task was cancelled; the transfer was abandoned.
        case cancelled
        /// curl connected to another address than the pinned one; the request was not sent.
        case addressMismatch
        /// Anything else (connection reset, empty reply, protocol error).
        case other
    }

    /// The failure class.
    public var kind: Kind
    /// curl's explanation (its error buffer), safe to log: it never contains bodies or headers.
    public var message: String
    /// Time from submission to failure.
    public var duration: Duration

    /// Creates an error value.
    public init(kind: Kind, message: String, duration: Duration = .zero) {
        self.kind = kind
        self.message = message
        self.duration = duration
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}
