extension IPAddress {
    /// The IPv4 address an HTTP client reaches for a numeric host written in any of the forms
    /// libcurl and `inet_aton` accept besides the dotted quad: one to four parts, each decimal,
    /// octal (leading `0`) or hex (`0x`), the last filling the bytes left — `0177.0.0.1`,
    /// `2130706433` and `0x7f.1` all reach 127.0.0.1. Nil for anything else.
    ///
    /// `init(_:)` refuses these spellings on purpose (configuration should not be ambiguous); this
    /// reads them only to tell where a URL that uses one will go.
    public init?(numericHost text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            let lowered = part.lowercased()
            // Digits only: Swift's integer parsing would also take a leading '+'.
            guard lowered.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == "x") }) else { return nil }
            let value: UInt64?
            if lowered.hasPrefix("0x") {
                value = UInt64(lowered.dropFirst(2), radix: 16)
            } else if lowered.count > 1, lowered.hasPrefix("0") {
                value = UInt64(lowered.dropFirst(), radix: 8)
            } else {
                value = lowered.isEmpty ? nil : UInt64(lowered, radix: 10)
            }
            guard let value else { return nil }
            values.append(value)
        }
        // All parts but the last are one byte each; the last fills the rest.
        let leading = values.dropLast()
        let restBytes = 4 - leading.count
        guard leading.allSatisfy({ $0 <= 0xff }), let last = values.last, last < (UInt64(1) << (8 * restBytes)) else { return nil }
        var bytes = leading.map { UInt8($0) }
        for shift in stride(from: 8 * (restBytes - 1), through: 0, by: -8) {
            bytes.append(UInt8((last >> UInt64(shift)) & 0xff))
        }
        self.init(bytes: bytes)
    }
}
