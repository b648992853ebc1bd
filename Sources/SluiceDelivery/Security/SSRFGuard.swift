public import SluiceCore
import Synchronization

/// Checks where an endpoint URL really points before each attempt: resolves the
/// host once, refuses addresses the ``AddressPolicy`` forbids, and returns the admitted
/// address so the request connects there and nowhere else (no second DNS lookup).
public struct SSRFGuard: Sendable {
    /// The address policy applied to every resolved address.
    public var policy: AddressPolicy
    /// Longest wait for a DNS answer.
    public var resolveTimeout: Duration
    /// Parsed endpoint URLs: parsing is a pure function of the URL, and endpoint URLs repeat on
    /// every attempt. Only the parse is kept; names are still resolved and every address is
    /// still checked against the policy on each attempt.
    private let parsedURLs = ParsedURLCache()

    /// Creates a guard.
    public init(policy: AddressPolicy = AddressPolicy(), resolveTimeout: Duration = LaneSizing.resolveTimeout) {
        self.policy = policy
        self.resolveTimeout = resolveTimeout
    }

    /// Resolves and checks `url`'s host; a literal IP is checked without DNS.
    /// - Returns: the first admitted address, pinned to the URL's host and port.
    /// - Throws: ``SSRFError`` — `.blockedAddress` naming the host and the first refused address when none is admitted.
    public func check(url: String) async throws(SSRFError) -> PinnedAddress {
        guard let parsed = parsedURLs.parsed(url) else {
            throw SSRFError(kind: .invalidURL, host: "", message: "endpoint URL is not a valid http(s) URL")
        }
        let addresses: [IPAddress]
        if let literal = parsed.literal {
            addresses = [literal]
        } else {
            addresses = try await HostResolver.resolve(parsed.host, timeout: resolveTimeout).get()
        }
        var firstRefusal: (IPAddress, AddressCategory)?
        for address in addresses {
            guard let category = policy.refusal(for: address) else {
                return PinnedAddress(host: parsed.host, port: parsed.port, ip: address)
            }
            if firstRefusal == nil { firstRefusal = (address, category) }
        }
        let (address, category) = firstRefusal!
        throw SSRFError(
            kind: .blockedAddress,
            host: parsed.host,
            address: address,
            category: category,
            message: "\(parsed.host) resolves to \(address), which is in the refused \(category.rawValue) range; "
                + (category == .metadata
                    ? "admit it with network.allow_cidrs (network.allow_private never admits metadata addresses)"
                    : "admit it with network.allow_cidrs or network.allow_private")
        )
    }
}

/// What ``SSRFGuard`` needs from an endpoint URL, parsed once per distinct URL.
private final class ParsedURLCache: Sendable {
    struct Parsed {
        var host: String
        var port: Int
        /// The host as an IP address when it is one (checked without DNS).
        var literal: IPAddress?
    }

    /// More distinct URLs than this (config churn) starts the cache afresh.
    private static let capacity = 4096
    private let entries = Mutex<[String: Parsed]>([:])

    /// nil when `url` is not a valid http(s) URL (not cached: a refusal is rare and may be transient).
    func parsed(_ url: String) -> Parsed? {
        if let cached = entries.withLock({ $0[url] }) { return cached }
        guard let components = CurlURL(url), components.scheme == "http" || components.scheme == "https",
            !components.host.isEmpty
        else { return nil }
        let parsed = Parsed(host: components.host, port: components.port, literal: IPAddress(components.host))
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[url] = parsed
        }
        return parsed
    }
}
