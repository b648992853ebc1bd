import Foundation

/// Base64 helpers shared by the signature code.
///
/// Senders are inconsistent about padding and alphabets, so decoding is lenient about padding
/// while still rejecting characters outside the alphabet.
enum SignatureBase64 {
    /// Decodes standard base64, with or without `=` padding.
    ///
    /// Written out rather than through `Data(base64Encoded:)`: it runs for every signature on
    /// every request, and the Foundation route copies the text into a String and the result
    /// through Data. It accepts what padding the text and handing it to Foundation accepted, except
    /// that `=` may only end the text, at most two of them (Foundation also decodes `YQ=A`).
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(bytes: text.utf8)
    }

    /// `decode(_:)` of text given as its UTF-8 bytes.
    static func decode(bytes text: some Collection<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var total = 0
        var padding = 0
        for byte in text {
            total += 1
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            // Padding only at the end.
            guard padding == 0 else { return nil }
            let value = decodingTable[Int(byte)]
            guard value >= 0 else { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // The same rules as padding to a multiple of four and decoding strictly: no lone sixth
        // bits, no more than two `=` in all.
        let remainder = total % 4
        guard total > 0, remainder != 1, (total - padding) % 4 != 1, padding + (4 - remainder) % 4 <= 2 else { return nil }
        return out
    }

    /// Standard alphabet: the value of each byte, or -1 for bytes outside it.
    private static let decodingTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = Int8(value)
        }
        return table
    }()

    /// Decodes base64url (RFC 4648 §5) without padding, as JOSE uses it.
    static func decodeURL(_ text: some StringProtocol) -> [UInt8]? {
        // Reject the standard alphabet's characters so one token has one spelling.
        if text.contains("+") || text.contains("/") || text.contains("=") { return nil }
        if text.isEmpty { return [] }
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return decode(standard)
    }

    /// Encodes as standard base64 with padding.
    static func encode(_ bytes: some DataProtocol) -> String {
        var text: [UInt8] = []
        Array(bytes).withUnsafeBytes { append($0, to: &text) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the standard base64 of `bytes`, with padding, to `text`: the signer writes its
    /// header's entries into one buffer this way, with no String or Data per entry.
    static func append(_ bytes: UnsafeRawBufferPointer, to text: inout [UInt8]) {
        text.reserveCapacity(text.count + (bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            text.append(encodingTable[Int(group >> 18)])
            text.append(encodingTable[Int(group >> 12 & 0x3F)])
            text.append(encodingTable[Int(group >> 6 & 0x3F)])
            text.append(encodingTable[Int(group & 0x3F)])
            index += 3
        }
        let rest = bytes.count - index
        guard rest > 0 else { return }
        let group = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
        text.append(encodingTable[Int(group >> 18)])
        text.append(encodingTable[Int(group >> 12 & 0x3F)])
        text.append(rest == 2 ? encodingTable[Int(group >> 6 & 0x3F)] : UInt8(ascii: "="))
        text.append(UInt8(ascii: "="))
    }

    private static let encodingTable: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes as base64url without padding.
    static func encodeURL(_ bytes: some DataProtocol) -> String {
        var s = Data(bytes).base64EncodedString()
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }
}
