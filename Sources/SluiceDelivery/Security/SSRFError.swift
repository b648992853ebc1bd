public import SluiceCore

/// Why the SSRF guard refused or could not check an endpoint URL.
public struct SSRFError: Error, Sendable, CustomStringConvertible {
    /// Failure classes; only `.blockedAddress` dead-letters a delivery.
    public enum Kind: String, Sendable, Hashable {
        /// Every address the host resolved to is refused by the address policy.
        case blockedAddress = "blocked_address"
        /// The host did not resolve (retried like any transient failure).
        case resolutionFailed = "resolution_failed"
        /// The URL cannot be parsed or is not http/https.
        case invalidURL = "invalid_url"
    }

    /// The failure class; its raw value is the dead-letter reason for `.blockedAddress`.
    public var kind: Kind
    /// The host from the URL (empty when the URL did not parse).
    public var host: String
    /// The refused address, for `.blockedAddress`.
    public var address: IPAddress?
    /// Why that address is refused, for `.blockedAddress`.
    public var category: AddressCategory?
    /// Human-readable explanation naming the host, and the address when there is one.
    public var message: String

    /// Creates an error value.
    public init(kind: Kind, host: String, address: IPAddress? = nil, category: AddressCategory? = nil, message: String) {
        self.kind = kind
        self.host = host
        self.address = address
        self.category = category
        self.message = message
    }

    /// The dead-letter reason (`blocked_address`) or the kind's name.
    public var reason: String { kind.rawValue }

    /// `reason: message`.
    public var description: String { "\(reason): \(message)" }
}
