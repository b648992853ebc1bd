/// Why an address is refused by default for outbound deliveries.
public enum AddressCategory: String, Sendable, Hashable, CaseIterable {
    /// 0.0.0.0/8, `::` — "this host"; Linux connects these to loopback.
    case unspecified
    /// 127.0.0.0/8, `::1`.
    case loopback
    /// 10/8, 172.16/12, 192.168/16, fc00::/7.
    case `private`
    /// 100.64.0.0/10, carrier-grade NAT.
    case cgnat
    /// 169.254.0.0/16, fe80::/10 (and the deprecated site-local fec0::/10).
    case linkLocal = "link-local"
    /// Cloud instance metadata: 169.254.169.254, fd00:ec2::254 (AWS), 100.100.100.200 (Alibaba).
    case metadata
    /// 224.0.0.0/4, ff00::/8.
    case multicast
    /// 240.0.0.0/4 including the broadcast address 255.255.255.255.
    case reserved
}
