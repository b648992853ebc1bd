import Crypto
import Foundation
import Testing

@testable import SluiceCore

/// JWTs as the whole `webhook-signature` value, checked against a JWKS built from in-test keys.
@Suite struct WebhookVerifierJWTTests {
    static let now: Int64 = 1_700_000_000
    static let id = "msg_jwt_1"
    static let body = Array(#"{"type":"batch.completed"}"#.utf8)

    func verify(
        _ token: String, audience: String? = audience, id: String = id, body: [UInt8] = body, now: Int64 = now,
        keySet: JSONWebKeySet?, jwksConfigured: Bool = true
    ) -> WebhookVerification {
        WebhookVerifier(hmacSecrets: [], toleranceSeconds: 300, audience: audience)
            .verify(id: id, timestamp: String(Self.now), signatureHeader: token, body: body, now: now,
                    keySet: keySet, jwksConfigured: jwksConfigured)
    }

    func reason(_ result: WebhookVerification) -> String? {
        if case .rejected(let failure) = result { return failure.reason }
        return nil
    }

    static let audience = "https://hooks.example"

    var validClaims: [String: Any] { ["iss": "gemini", "aud": Self.audience, "exp": Self.now + 600, "nbf": Self.now - 10, "iat": Self.now] }

    /// `claims` with the configured audience and an expiry in ten minutes unless they set their own.
    static func bound(_ claims: [String: Any]) -> [String: Any] {
        ["aud": audience, "exp": now + 600].merging(claims) { $1 }
    }

    @Test(arguments: [
        (SignatureFixtures.JWTAlgorithm.rs256, "rsa-1"),
        (SignatureFixtures.JWTAlgorithm.es256, "ec-1"),
        (SignatureFixtures.JWTAlgorithm.edDSA, "ed-1"),
    ])
    func tokenSignedByAPublishedKeyVerifies(algorithm: SignatureFixtures.JWTAlgorithm, kid: String) throws {
        let token = SignatureFixtures.jwt(algorithm, kid: kid, claims: validClaims)
        #expect(verify(token, keySet: try SignatureFixtures.standardKeySet()) == .verified(.jwt))
    }

    @Test func tokenWithoutKidIsTriedAgainstKeysOfItsAlgorithm() throws {
        let token = SignatureFixtures.jwt(.es256, kid: nil, claims: validClaims)
        #expect(verify(token, keySet: try SignatureFixtures.standardKeySet()) == .verified(.jwt))
    }

    @Test func tamperedTokenIsRejectedAsPossiblyStale() throws {
        let token = SignatureFixtures.jwt(.rs256, kid: "rsa-1", claims: validClaims)
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = SignatureFixtures.base64URL(Data(SignatureFixtures.json(["exp": Self.now + 99_999]).utf8))
        guard case .rejected(let failure) = verify(parts.joined(separator: "."), keySet: try SignatureFixtures.standardKeySet()) else {
            Issue.record("expected a rejection"); return
        }
        #expect(failure.reason == "signature_mismatch")
        #expect(failure.keySetMayBeStale)
    }

    @Test func tokenWhoseKidNamesAKeyOfAnotherTypeIsRejected() throws {
        let token = SignatureFixtures.jwt(.es256, kid: "rsa-1", claims: validClaims)
        #expect(reason(verify(token, keySet: try SignatureFixtures.standardKeySet())) == "signature_mismatch")
    }

    @Test func unknownKidNeedsAFreshKeySet() throws {
        let token = SignatureFixtures.jwt(.rs256, kid: "rsa-2", claims: validClaims)
        #expect(verify(token, keySet: try SignatureFixtures.standardKeySet()) == .needsKeySet)
    }

    @Test func missingKeySetNeedsOneAndMissingJWKSIsRejected() {
        let token = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: validClaims)
        #expect(verify(token, keySet: nil) == .needsKeySet)
        #expect(reason(verify(token, keySet: nil, jwksConfigured: false)) == "jwks_not_configured")
    }

    @Test func expiredTokenIsRejectedBeyondThirtySecondsOfLeeway() throws {
        let keySet = try SignatureFixtures.standardKeySet()
        let token = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: Self.bound(["exp": Self.now - 20]))
        #expect(verify(token, keySet: keySet) == .verified(.jwt))
        let expired = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: Self.bound(["exp": Self.now - 31]))
        #expect(reason(verify(expired, keySet: keySet)) == "token_expired")
    }

    @Test func notYetValidTokenIsRejectedBeyondThirtySecondsOfLeeway() throws {
        let keySet = try SignatureFixtures.standardKeySet()
        let early = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: Self.bound(["nbf": Self.now + 20]))
        #expect(verify(early, keySet: keySet) == .verified(.jwt))
        let tooEarly = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: Self.bound(["nbf": Self.now + 31]))
        #expect(reason(verify(tooEarly, keySet: keySet)) == "token_not_yet_valid")
    }

    @Test func aJWTIsAcceptedOnlyForTheConfiguredAudience() throws {
        let keySet = try SignatureFixtures.standardKeySet()
        let single = SignatureFixtures.jwt(.es256, kid: "ec-1", claims: Self.bound([:]))
        let list = SignatureFixtures.jwt(.es256, kid: "ec-1", claims: Self.bound(["aud": ["other", Self.audience]]))
        let none = SignatureFixtures.jwt(.es256, kid: "ec-1", claims: ["exp": Self.now + 600])
        #expect(verify(single, keySet: keySet) == .verified(.jwt))
        #expect(verify(list, keySet: keySet) == .verified(.jwt))
        #expect(reason(verify(single, audience: "https://elsewhere", keySet: keySet)) == "audience_mismatch")
        #expect(reason(verify(none, keySet: keySet)) == "audience_mismatch")
        // A shared JWKS signs for every customer: without an audience to check, no JWT is ours.
        #expect(reason(verify(single, audience: nil, keySet: keySet)) == "audience_not_configured")
        #expect(reason(verify(single, audience: "", keySet: nil)) == "audience_not_configured")
    }

    @Test func aJWTWithoutExpiryIsRefused() throws {
        let token = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: ["aud": Self.audience])
        #expect(reason(verify(token, keySet: try SignatureFixtures.standardKeySet())) == "missing_exp")
    }

    @Test func issuedAtIsCheckedAgainstTheTimestampTolerance() throws {
        let keySet = try SignatureFixtures.standardKeySet()
        // Tolerance 300 s plus the 30 s leeway.
        let old = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: Self.bound(["iat": Self.now - 320]))
        #expect(verify(old, keySet: keySet) == .verified(.jwt))
        let tooOld = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: Self.bound(["iat": Self.now - 331]))
        #expect(reason(verify(tooOld, keySet: keySet)) == "token_too_old")
        let future = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: Self.bound(["iat": Self.now + 31]))
        #expect(reason(verify(future, keySet: keySet)) == "token_not_yet_valid")
    }

    @Test func webhookIdClaimMustMatchTheRequest() throws {
        let keySet = try SignatureFixtures.standardKeySet()
        for claim in ["webhook_id", "webhook-id"] {
            let token = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: Self.bound([claim: Self.id]))
            #expect(verify(token, keySet: keySet) == .verified(.jwt))
            #expect(reason(verify(token, id: "msg_other", keySet: keySet)) == "token_mismatch")
        }
    }

    @Test func bodyDigestClaimMustMatchTheRawBody() throws {
        let keySet = try SignatureFixtures.standardKeySet()
        let digest = Data(SHA256.hash(data: Self.body))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        for encoded in [hex, hex.uppercased(), SignatureFixtures.base64URL(digest)] {
            let token = SignatureFixtures.jwt(.rs256, kid: "rsa-1", claims: Self.bound(["body_sha256": encoded]))
            #expect(verify(token, keySet: keySet) == .verified(.jwt))
            #expect(reason(verify(token, body: Array("{}".utf8), keySet: keySet)) == "token_mismatch")
        }
    }

    @Test func unsupportedAlgorithmIsRejected() throws {
        let header = SignatureFixtures.base64URL(Data(#"{"alg":"HS256","kid":"ed-1"}"#.utf8))
        let claims = SignatureFixtures.base64URL(Data("{}".utf8))
        let token = "\(header).\(claims).c2lnbmF0dXJl"
        #expect(reason(verify(token, keySet: try SignatureFixtures.standardKeySet())) == "unsupported_algorithm")
        let none = SignatureFixtures.base64URL(Data(#"{"alg":"none"}"#.utf8)) + ".\(claims).c2ln"
        #expect(reason(verify(none, keySet: try SignatureFixtures.standardKeySet())) == "unsupported_algorithm")
    }

    @Test func claimOfTheWrongTypeMakesTheTokenMalformed() throws {
        let token = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: Self.bound(["exp": "tomorrow"]))
        #expect(reason(verify(token, keySet: try SignatureFixtures.standardKeySet())) == "malformed_token")
    }

    @Test func tokenOutsideTimestampToleranceIsRejectedFirst() throws {
        let token = SignatureFixtures.jwt(.edDSA, kid: "ed-1", claims: validClaims)
        #expect(reason(verify(token, now: Self.now + 301, keySet: nil)) == "timestamp_out_of_tolerance")
    }
}
