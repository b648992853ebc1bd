import Foundation
import SluiceTesting
import Testing

@testable import SluiceCore

@Suite struct WebhookSecretTests {
    @Test func secretWithPrefixAndBareBase64ParseToTheSameKey() throws {
        let prefixed = try WebhookSecret(parsing: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let bare = try WebhookSecret(parsing: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(prefixed == bare)
        #expect(prefixed.keyBytes.count == 24)
        #expect(prefixed.encoded == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    }

    @Test(arguments: [
        ("whsec_", "empty"),
        ("whsec_not base64!!", "not valid base64"),
        ("whsec_" + Data(repeating: 7, count: 16).base64EncodedString(), "fewer than the minimum 24"),
        ("whsec_" + Data(repeating: 7, count: 65).base64EncodedString(), "more than the maximum 64"),
    ])
    func weakOrMalformedSecretIsRejectedWithoutEchoingIt(text: String, expectedFragment: String) {
        do {
            _ = try WebhookSecret(parsing: text)
            Issue.record("expected \(expectedFragment)")
        } catch {
            #expect(error.message.contains(expectedFragment))
            let encodedPart = String(text.dropFirst("whsec_".count))
            if !encodedPart.isEmpty { #expect(!error.message.contains(encodedPart)) }
        }
    }

    @Test func secretsOfTwentyFourAndSixtyFourBytesAreAccepted() throws {
        #expect(throws: Never.self) { try WebhookSecret(keyBytes: Array(repeating: 1, count: 24)) }
        #expect(throws: Never.self) { try WebhookSecret(keyBytes: Array(repeating: 1, count: 64)) }
    }

    @Test func everyTextualFormOfASecretIsRedacted() throws {
        let secret = try WebhookSecret(parsing: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(secret.description == "whsec_…(redacted)")
        #expect("\(secret)" == "whsec_…(redacted)")
        #expect(!String(reflecting: secret).contains("MfKQ"))
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("MfKQ"))
        #expect(!dumped.contains("49"))  // no key bytes listed either
    }

    @Test func generatedSecretRoundTripsThroughItsEncoding() throws {
        var rng = SeededRandom(seed: 42)
        let secret = WebhookSecret.generate(using: &rng)
        #expect(secret.keyBytes.count == 32)
        #expect(secret.encoded.hasPrefix("whsec_"))
        #expect(try WebhookSecret(parsing: secret.encoded) == secret)
        #expect(WebhookSecret.generate(using: &rng, byteCount: 8).keyBytes.count == 24)
        #expect(WebhookSecret.generate(using: &rng, byteCount: 100).keyBytes.count == 64)
    }

    @Test func signingKeyParsesSeedAndSeedWithPublicKey() throws {
        var rng = SeededRandom(seed: 7)
        let key = Ed25519SigningKey.generate(using: &rng)
        #expect(key.encoded.hasPrefix("whsk_"))
        let reparsed = try Ed25519SigningKey(parsing: key.encoded)
        #expect(reparsed.publicKey == key.publicKey)

        let seed = try #require(Data(base64Encoded: String(key.encoded.dropFirst(5))))
        let long = "whsk_" + (seed + Data(key.publicKey.rawBytes)).base64EncodedString()
        #expect(try Ed25519SigningKey(parsing: long).publicKey == key.publicKey)

        let other = Ed25519SigningKey.generate(using: &rng)
        let mismatched = "whsk_" + (seed + Data(other.publicKey.rawBytes)).base64EncodedString()
        #expect(throws: SignatureError.self) { try Ed25519SigningKey(parsing: mismatched) }
        #expect(throws: SignatureError.self) { try Ed25519SigningKey(parsing: "whsk_" + Data(count: 16).base64EncodedString()) }

        // The halves of a pair swapped by mistake are named as such, not as "not valid base64".
        let swapped = "whpk_" + Data(key.publicKey.rawBytes).base64EncodedString()
        let error = try #require(throws: SignatureError.self) { try Ed25519SigningKey(parsing: swapped) }
        #expect(error.description.contains("it is a public key (whpk_)"), "\(error)")
        let wrongWay = try #require(throws: SignatureError.self) { try Ed25519PublicKey(parsing: key.encoded) }
        #expect(wrongWay.description.contains("it is a private key (whsk_)"), "\(wrongWay)")
    }

    @Test func signingKeyDescriptionIsRedactedAndPublicKeyRoundTrips() throws {
        let key = try Ed25519SigningKey(parsing: "whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=")
        #expect(key.description == "whsk_…(redacted)")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("VEVT"))
        let publicKey = try Ed25519PublicKey(parsing: key.publicKey.encoded)
        #expect(publicKey == key.publicKey)
        #expect(throws: SignatureError.self) { try Ed25519PublicKey(parsing: "whpk_AAAA") }
    }
}
