extension IPAddress {
    /// Strict dotted quad: exactly four decimal parts 0...255, no leading zeros.
    static func parseV4(_ text: Substring) -> [UInt8]? {
        // Over the UTF-8 bytes, without splitting: the worker checks the address curl connected
        // to before every request it sends.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        var value = 0
        var digits = 0
        var leadingZero = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // Leading zeros are read as octal by some resolvers; refuse the ambiguity.
                if leadingZero { return nil }
                if digits == 0, byte == UInt8(ascii: "0") { leadingZero = true }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            case UInt8(ascii: "."):
                guard digits > 0, bytes.count < 3 else { return nil }
                bytes.append(UInt8(value))
                value = 0
                digits = 0
                leadingZero = false
            default:
                return nil
            }
        }
        guard digits > 0, bytes.count == 3 else { return nil }
        bytes.append(UInt8(value))
        return bytes
    }

    /// RFC 4291 text form: eight hex groups, one optional `::`, optional trailing dotted quad.
    static func parseV6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":"), !text.contains("%") else { return nil }
        var head = Substring(text)
        var tail: Substring = ""
        var compressed = false
        if let range = text.firstRange(of: "::") {
            compressed = true
            head = text[..<range.lowerBound]
            tail = text[range.upperBound...]
            if tail.contains("::") { return nil }
        }
        guard let headGroups = parseGroups(head, allowV4Tail: !compressed),
            let tailGroups = parseGroups(tail, allowV4Tail: true)
        else { return nil }
        let total = headGroups.count + tailGroups.count
        var groups: [UInt16]
        if compressed {
            guard total <= 7 else { return nil }
            groups = headGroups + Array(repeating: 0, count: 8 - total) + tailGroups
        } else {
            guard total == 8 else { return nil }
            groups = headGroups + tailGroups
        }
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    private static func parseGroups(_ text: Substring, allowV4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowV4Tail, part.contains(".") {
                guard let v4 = parseV4(part) else { return nil }
                groups.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                groups.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                continue
            }
            guard (1...4).contains(part.count), let value = UInt16(part, radix: 16) else { return nil }
            groups.append(value)
        }
        return groups
    }
}
