/// An IPv4 or IPv6 address, held as its network-order bytes (4 or 16).
///
/// Parsing is strict on purpose: the SSRF guard must agree with the connecting
/// code on what an address is, so ambiguous forms (octal `0177.0.0.1`, short
/// `127.1`, zone ids) are rejected rather than guessed.
public struct IPAddress: Hashable, Sendable {
    /// The address family.
    public enum Family: Sendable, Hashable {
        case v4
        case v6
    }

    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Creates an address from 4 (IPv4) or 16 (IPv6) network-order bytes; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses a textual address: dotted-quad IPv4 or RFC 4291 IPv6 (brackets allowed).
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") {
            text = text.dropFirst().dropLast()
        }
        if let v4 = Self.parseV4(text) {
            self.bytes = v4
        } else if let v6 = Self.parseV6(text) {
            self.bytes = v6
        } else {
            return nil
        }
    }

    /// Whether this is an IPv4 or an IPv6 address.
    public var family: Family { bytes.count == 4 ? .v4 : .v6 }

    /// The IPv4 address embedded in an IPv4-mapped (`::ffff:a.b.c.d`) IPv6 address, if this is one.
    public var ipv4Mapped: IPAddress? {
        guard family == .v6, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else {
            return nil
        }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }
}
