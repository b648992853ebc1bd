import Foundation

/// Literal IPv4/IPv6 addresses and CIDR blocks, for validating `allow_cidrs` and for the
/// load-time warning about endpoint URLs that name a private address.
///
/// The delivery-time SSRF guard has its own resolver-based check; this one only reads text.
struct RoutesIPLiteral: Equatable {
    /// 4 bytes for IPv4, 16 for IPv6.
    var bytes: [UInt8]

    init?(_ text: String) {
        if let v4 = Self.parseIPv4(Substring(text)) {
            bytes = v4
        } else if let v6 = Self.parseIPv6(text) {
            bytes = v6
        } else {
            return nil
        }
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowTrailingIPv4: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowTrailingIPv4, index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    bytes += v4
                } else {
                    guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return bytes
        }
        if halves.count == 1 {
            guard let all = groups(halves[0], allowTrailingIPv4: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowTrailingIPv4: false),
              let tail = groups(halves[1], allowTrailingIPv4: true),
              head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// The embedded IPv4 address of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
    var unmapped: RoutesIPLiteral {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return self }
        var copy = self
        copy.bytes = Array(bytes[12..<16])
        return copy
    }

    /// Loopback, private, link-local, CGNAT, unspecified, multicast or unique-local: what the SSRF guard refuses by default.
    var isPrivate: Bool {
        let address = unmapped
        let privateBlocks = [
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
        ]
        return privateBlocks.contains { RoutesCIDR($0)!.contains(address) }
    }
}

/// A validated CIDR block such as `127.0.0.1/32` or `fd00::/8`.
struct RoutesCIDR {
    var address: RoutesIPLiteral
    var prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = RoutesIPLiteral(String(parts[0])),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(parts[1]),
              length >= 0, length <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.prefixLength = length
    }

    func contains(_ candidate: RoutesIPLiteral) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (lhs, rhs) in zip(candidate.bytes, address.bytes) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if lhs & mask != rhs & mask { return false }
            remaining -= bits
        }
        return true
    }
}
