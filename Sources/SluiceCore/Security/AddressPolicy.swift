/// Decides which resolved addresses an outbound delivery may connect to (routes.yaml `network:`, docs/routes.md).
///
/// Pure: the SSRF guard resolves names and asks this policy about each address.
/// IPv4 embedded in IPv6 (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64
/// `64:ff9b::a.b.c.d`) is judged as the IPv4 address it reaches.
public struct AddressPolicy: Sendable, Hashable {
    /// Admit every refused category except cloud metadata addresses.
    public var allowPrivate: Bool
    /// Blocks admitted whatever their category; the only way to admit a metadata address.
    public var allowCIDRs: [CIDR]

    /// Creates a policy; the default refuses every ``AddressCategory``.
    public init(allowPrivate: Bool = false, allowCIDRs: [CIDR] = []) {
        self.allowPrivate = allowPrivate
        self.allowCIDRs = allowCIDRs
    }

    /// Whether a connection to `address` is permitted.
    public func isAllowed(_ address: IPAddress) -> Bool {
        refusal(for: address) == nil
    }

    /// The category that makes this policy refuse `address`, or `nil` when it is allowed.
    public func refusal(for address: IPAddress) -> AddressCategory? {
        let effective = Self.embeddedIPv4(address) ?? address
        guard let category = Self.category(of: effective) else { return nil }
        // Judged as the address it reaches: an IPv6 block must not admit the IPv4 it embeds.
        if allowCIDRs.contains(where: { $0.contains(effective) }) { return nil }
        // Metadata endpoints hand out cloud credentials: `allow_private` alone never opens them.
        if allowPrivate, category != .metadata { return nil }
        return category
    }

    /// The refused category `address` belongs to, ignoring any allowance; `nil` for public addresses.
    public static func category(of address: IPAddress) -> AddressCategory? {
        let effective = embeddedIPv4(address) ?? address
        if metadataAddresses.contains(effective) { return .metadata }
        let table = effective.family == .v4 ? v4Ranges : v6Ranges
        return table.first(where: { $0.block.contains(effective) })?.category
    }

    /// The IPv4 address an IPv6 address reaches when it embeds one.
    static func embeddedIPv4(_ address: IPAddress) -> IPAddress? {
        guard address.family == .v6 else { return nil }
        if let mapped = address.ipv4Mapped { return mapped }
        let prefix = Array(address.bytes[0..<12])
        let tail = Array(address.bytes[12..<16])
        // Deprecated IPv4-compatible form; `::` and `::1` stay IPv6.
        if prefix.allSatisfy({ $0 == 0 }), tail[0] != 0 || tail[1] != 0 { return IPAddress(bytes: tail) }
        if prefix == nat64Prefix { return IPAddress(bytes: tail) }
        return nil
    }

    private static let nat64Prefix: [UInt8] = [0x00, 0x64, 0xff, 0x9b] + Array(repeating: 0, count: 8)

    /// Instance metadata (AWS, GCP, Azure, Oracle: 169.254.169.254; AWS IPv6; Alibaba), AWS ECS
    /// task credentials and EKS Pod Identity (IPv4 and IPv6): each hands out cloud credentials.
    private static let metadataAddresses: [IPAddress] = [
        "169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2", "169.254.170.23", "fd00:ec2::23",
    ].map { IPAddress($0)! }

    private static func range(_ text: String, _ category: AddressCategory) -> (block: CIDR, category: AddressCategory) {
        (CIDR(parsing: text)!, category)
    }

    private static let v4Ranges = [
        range("0.0.0.0/8", .unspecified),
        range("127.0.0.0/8", .loopback),
        range("10.0.0.0/8", .private),
        range("172.16.0.0/12", .private),
        range("192.168.0.0/16", .private),
        range("100.64.0.0/10", .cgnat),
        range("169.254.0.0/16", .linkLocal),
        range("224.0.0.0/4", .multicast),
        range("240.0.0.0/4", .reserved),
    ]

    private static let v6Ranges = [
        range("::/128", .unspecified),
        range("::1/128", .loopback),
        range("fc00::/7", .private),
        range("fe80::/10", .linkLocal),
        range("fec0::/10", .linkLocal),
        range("ff00::/8", .multicast),
        // NAT64's local-use prefix (RFC 8215): where the IPv4 address sits depends on the
        // operator's prefix length, so it cannot be judged as the address it reaches.
        range("64:ff9b:1::/48", .reserved),
    ]
}
