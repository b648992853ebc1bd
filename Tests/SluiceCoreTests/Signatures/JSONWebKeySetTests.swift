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
