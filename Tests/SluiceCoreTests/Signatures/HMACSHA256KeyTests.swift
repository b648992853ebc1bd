import Crypto
import SluiceTesting
import Testing

@testable import SluiceCore

/// `HMACSHA256Key` replaces swift-crypto's `HMAC` on the hot paths; it must give the same codes.
@Suite("HMACSHA256Key")
struct HMACSHA256KeyTests {
    @Test(arguments: [0, 1, 24, 32, 63, 64, 65, 100])
    func agreesWithSwiftCryptoHMAC(keyLength: Int) {
        var random = SeededRandom(seed: UInt64(keyLength) &+ 0xC0DE)
        let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &random) }
        let fast = HMACSHA256Key(key: key)
        for messageLength in [0, 1, 55, 56, 64, 200, 4096] {
            let message = (0..<messageLength).map { _ in UInt8.random(in: 0...255, using: &random) }
            let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            let code = fast.code { hash in message.withUnsafeBytes { hash.update(bufferPointer: $0) } }
            #expect(Array(code) == expected, "key \(keyLength) bytes, message \(messageLength) bytes")
        }
    }

    @Test func signedContentIsIdDotTimestampDotBody() {
        let key = HMACSHA256Key(key: Array("a key of some length".utf8))
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let whole = Array("msg_1.1614265330.".utf8) + body
        let expected = key.code { hash in whole.withUnsafeBytes { hash.update(bufferPointer: $0) } }
        #expect(key.code(id: "msg_1", timestamp: "1614265330", body: body) == expected)
    }

    @Test func matchesOnlyTheExactCode() {
        let key = HMACSHA256Key(key: Array(repeating: 7, count: 32))
        let code = key.code(id: "id", timestamp: "1", body: [])
        let bytes = Array(code)
        #expect(HMACSHA256Key.matches(code, bytes))
        for index in [0, 15, 31] {
            var flipped = bytes
            flipped[index] ^= 0x01
            #expect(!HMACSHA256Key.matches(code, flipped))
        }
        #expect(!HMACSHA256Key.matches(code, Array(bytes.dropLast())))
        #expect(!HMACSHA256Key.matches(code, bytes + [0]))
        #expect(!HMACSHA256Key.matches(code, []))
    }
}
