import Foundation

/// Base64 helpers shared by the signature code.
///
/// Senders are inconsistent about padding and alphabets, so decoding is lenient about padding
/// while still rejecting characters outside the alphabet.
enum SignatureBase64 {
    /// Decodes standard base64, with or without `=` padding.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var s = String(text)
        guard !s.isEmpty else { return nil }
        let remainder = s.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { s += String(repeating: "=", count: 4 - remainder) }
        guard let data = Data(base64Encoded: s) else { return nil }
        return [UInt8](data)
    }

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
        Data(bytes).base64EncodedString()
    }

    /// Encodes as base64url without padding.
    static func encodeURL(_ bytes: some DataProtocol) -> String {
        var s = Data(bytes).base64EncodedString()
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }
}
