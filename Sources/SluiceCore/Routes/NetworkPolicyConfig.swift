/// The `network:` block: which private destinations outbound delivery may reach.
public struct NetworkPolicyConfig: Sendable, Equatable {
    /// Admit every private, loopback and link-local address.
    public var allowPrivate: Bool
    /// CIDR blocks (`127.0.0.1/32`, `fd00::/8`) admitted even though they are private; validated at load.
    public var allowCIDRs: [String]

    /// Creates a policy; the defaults refuse every private address.
    public init(allowPrivate: Bool = false, allowCIDRs: [String] = []) {
        self.allowPrivate = allowPrivate
        self.allowCIDRs = allowCIDRs
    }
}
