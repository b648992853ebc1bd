import Foundation
import Testing

@testable import SluiceCore

@Suite struct SignatureBase64Tests {
    /// What the decoder replaced: pad to a multiple of four, then Foundation's strict decoder.
    private static func foundationDecode(_ text: String) -> [UInt8]? {
        var s = text
        guard !s.isEmpty else { return nil }
        let remainder = s.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { s += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: s).map { [UInt8]($0) }
    }

    @Test func decodesWithAndWithoutPadding() {
        #expect(SignatureBase64.decode("YWJj") == Array("abc".utf8))
        #expect(SignatureBase64.decode("YWI=") == Array("ab".utf8))
        #expect(SignatureBase64.decode("YWI") == Array("ab".utf8))
        #expect(SignatureBase64.decode("YQ==") == Array("a".utf8))
        #expect(SignatureBase64.decode("YQ=") == Array("a".utf8))
        #expect(SignatureBase64.decode("YQ") == Array("a".utf8))
    }

    @Test func refusesWhatFoundationRefuses() {
        for text in ["", "=", "Y", "Y=", "Y===", "YWJjZ", "YW J", "YW\nJj", "-_-_", "YQ===", "é"] {
            #expect(SignatureBase64.decode(text) == nil, "\(text)")
            #expect(Self.foundationDecode(text) == nil, "\(text)")
        }
    }

    /// Foundation decodes these (padding in the middle, padding only, surplus padding); no
    /// signer produces them, and a signature or secret spelled so is refused.
    @Test func refusesMisplacedPaddingThatFoundationTolerates() {
        for text in ["==", "YQ=A", "YWJj===="] {
            #expect(SignatureBase64.decode(text) == nil, "\(text)")
        }
    }

    @Test func agreesWithFoundationOnRandomSignatures() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let padded = Data(bytes).base64EncodedString()
            let unpadded = String(padded.prefix { $0 != "=" })
            for text in [padded, unpadded] where !text.isEmpty {
                #expect(SignatureBase64.decode(text) == bytes, "\(text)")
                #expect(SignatureBase64.decode(text) == Self.foundationDecode(text), "\(text)")
            }
        }
    }

    @Test func encodesAsFoundationDoes() {
        #expect(SignatureBase64.encode(Array("".utf8)) == "")
        #expect(SignatureBase64.encode(Array("a".utf8)) == "YQ==")
        #expect(SignatureBase64.encode(Array("ab".utf8)) == "YWI=")
        #expect(SignatureBase64.encode(Array("abc".utf8)) == "YWJj")
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(SignatureBase64.encode(bytes) == Data(bytes).base64EncodedString(), "\(bytes)")
        }
    }
}
