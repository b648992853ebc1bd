import Testing

@testable import SluiceCore

@Suite struct JSONWebKeySetTests {
    @Test func supportedKeysAreKeptAndOthersSkipped() throws {
        let json = SignatureFixtures.keySetJSON([
            SignatureFixtures.rsaJWK(kid: "rsa-1"),
            SignatureFixtures.p256JWK(kid: "ec-1"),
            SignatureFixtures.ed25519JWK(kid: "ed-1"),
            ["kty": "EC", "crv": "P-384", "kid": "p384", "x": "AAAA", "y": "AAAA"],
            ["kty": "OKP", "crv": "X25519", "kid": "x25519", "x": "AAAA"],
            ["kty": "oct", "kid": "hmac", "k": "c2VjcmV0"],
            ["kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"],
            ["kty": "OKP", "crv": "Ed25519", "kid": "short", "x": "AAAA"],
            ["kty": "OKP", "crv": "Ed25519", "kid": "wrong-type", "x": 12],
            ["kid": "no-kty"],
        ])
        let set = try JSONWebKeySet(json: json)
        #expect(set.keyIDs == ["rsa-1", "ec-1", "ed-1"])
        #expect(set.keys.map(\.algorithm) == [.rs256, .es256, .edDSA])
    }

    /// A JWKS holding a key of small order (the identity, here) let anyone forge `v1a` entries
    /// and EdDSA JWTs: `R` = the identity and `s` = 0 verify for every message against it.
    @Test func anEd25519KeyOfSmallOrderIsSkippedAndForgesNothing() throws {
        let identity = SignatureBase64.encodeURL([0x01] + [UInt8](repeating: 0, count: 31))
        let zero = SignatureBase64.encodeURL([UInt8](repeating: 0, count: 32))
        let json = SignatureFixtures.keySetJSON([
            SignatureFixtures.ed25519JWK(kid: "real"),
            ["kty": "OKP", "crv": "Ed25519", "kid": "identity", "x": identity],
            ["kty": "OKP", "crv": "Ed25519", "kid": "order-4", "x": zero],
        ])
        let set = try JSONWebKeySet(json: json)
        #expect(set.keyIDs == ["real"])
        let forged = "v1a," + SignatureBase64.encode([0x01] + [UInt8](repeating: 0, count: 63))
        let verifier = WebhookVerifier(hmacSecrets: [], toleranceSeconds: 300, audience: nil)
        let verdict = verifier.verify(
            id: "msg_forged", timestamp: "1700000000", signatureHeader: forged, body: Array("{}".utf8), now: 1_700_000_000,
            keySet: set, jwksConfigured: true)
        #expect(verdict != .verified(.ed25519), "\(verdict)")
        #expect(throws: SignatureError.self) { try Ed25519PublicKey(rawBytes: [0x01] + [UInt8](repeating: 0, count: 31)) }
    }

    @Test func keyPinnedToAnotherAlgorithmIsSkipped() throws {
        var jwk = SignatureFixtures.rsaJWK(kid: "pss")
        jwk["alg"] = "PS256"
        #expect(try JSONWebKeySet(json: SignatureFixtures.keySetJSON([jwk])).keys.isEmpty)
    }

    @Test(arguments: ["", "[]", "{}", #"{"keys": {}}"#, "not json"])
    func documentWithoutAKeysArrayIsAnError(text: String) {
        #expect(throws: SignatureError.self) { try JSONWebKeySet(json: Array(text.utf8)) }
    }

    @Test func publicKeyJWKIsAcceptedByTheKeySet() throws {
        let key = try Ed25519SigningKey(parsing: "whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=")
        let json = #"{"keys":["# + key.publicKey.jsonWebKey(keyID: "k\"1") + "]}"
        let set = try JSONWebKeySet(json: Array(json.utf8))
        #expect(set.keyIDs == ["k\"1"])
    }
}
