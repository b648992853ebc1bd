/// An address block such as `10.0.0.0/8` or `fc00::/7`.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The block's first address (host bits cleared).
    public let network: IPAddress
    /// The number of leading bits that must match.
    public let prefixLength: Int

    /// Creates a block; host bits of `address` are cleared. `nil` if the prefix is too long for the family.
    public init?(_ address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.bytes.count * 8 else { return nil }
        let masked = address.bytes.enumerated().map { index, byte in
            byte & Self.maskByte(index: index, prefixLength: prefixLength)
        }
        self.network = IPAddress(bytes: masked)!
        self.prefixLength = prefixLength
    }

    /// Parses `address/prefix`; a bare address is a single-host block (`/32` or `/128`).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(String(parts[0])) else { return nil }
        let prefixLength: Int
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                let parsed = Int(parts[1])
            else { return nil }
            prefixLength = parsed
        } else {
            prefixLength = address.bytes.count * 8
        }
        self.init(address, prefixLength: prefixLength)
    }

    /// Whether `address` lies inside this block. Families never match each other: an
    /// IPv4-mapped IPv6 address is matched against IPv4 blocks by ``AddressPolicy``.
    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        for index in 0..<address.bytes.count {
            let mask = Self.maskByte(index: index, prefixLength: prefixLength)
            if mask == 0 { return true }
            if address.bytes[index] & mask != network.bytes[index] { return false }
        }
        return true
    }

    /// `network/prefix`, e.g. `10.0.0.0/8`.
    public var description: String { "\(network)/\(prefixLength)" }

    private static func maskByte(index: Int, prefixLength: Int) -> UInt8 {
        let bits = min(max(prefixLength - index * 8, 0), 8)
        return bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
    }
}
