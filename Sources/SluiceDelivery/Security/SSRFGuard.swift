public import SluiceCore

/// Checks where an endpoint URL really points before each attempt (SPEC §7): resolves the
/// host once, refuses addresses the ``AddressPolicy`` forbids, and returns the admitted
/// address so the request connects there and nowhere else (no second DNS lookup).
public struct SSRFGuard: Sendable {
    /// The address policy applied to every resolved address.
    public var policy: AddressPolicy
    /// Longest wait for a DNS answer.
    public var resolveTimeout: Duration

    /// Creates a guard.
    public init(policy: AddressPolicy = AddressPolicy(), resolveTimeout: Duration = .seconds(5)) {
        self.policy = policy
        self.resolveTimeout = resolveTimeout
    }

    /// Resolves and checks `url`'s host; a literal IP is checked without DNS.
    /// - Returns: the first admitted address, pinned to the URL's host and port.
    /// - Throws: ``SSRFError`` — `.blockedAddress` naming the host and the first refused address when none is admitted.
    public func check(url: String) async throws(SSRFError) -> PinnedAddress {
        guard let parsed = CurlURL(url), parsed.scheme == "http" || parsed.scheme == "https", !parsed.host.isEmpty else {
            throw SSRFError(kind: .invalidURL, host: "", message: "endpoint URL is not a valid http(s) URL")
        }
        let addresses: [IPAddress]
        if let literal = IPAddress(parsed.host) {
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
                + "admit it with network.allow_cidrs or network.allow_private"
        )
    }
}
