import Crypto
import Foundation
import Testing

@testable import SluiceCore

/// v1 (HMAC) and v1a (Ed25519 via JWKS) verification, timestamps and header parsing.
@Suite struct WebhookVerifierTests {
    static let secret = try! WebhookSecret(parsing: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    static let rotatedSecret = try! WebhookSecret(parsing: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = Array(#"{"test": 2432232314}"#.utf8)
    static let publishedV1 = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let signingKey = try! Ed25519SigningKey(parsing: "whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=")

    func verify(
        _ header: String, secrets: [WebhookSecret] = [secret], id: String = id, timestamp: String = String(timestamp),
        body: [UInt8] = body, now: Int64 = timestamp, keySet: JSONWebKeySet? = nil, jwksConfigured: Bool = false
    ) -> WebhookVerification {
        WebhookVerifier(hmacSecrets: secrets, toleranceSeconds: 300, audience: nil)
            .verify(id: id, timestamp: timestamp, signatureHeader: header, body: body, now: now,
                    keySet: keySet, jwksConfigured: jwksConfigured)
    }

    func reason(_ result: WebhookVerification) -> String? {
        if case .rejected(let failure) = result { return failure.reason }
        return nil
    }

    @Test func publishedSignatureVerifies() {
        #expect(verify(Self.publishedV1) == .verified(.hmac))
    }

    @Test func rotatedSecondSecretStillVerifies() {
        #expect(verify(Self.publishedV1, secrets: [Self.rotatedSecret, Self.secret]) == .verified(.hmac))
        #expect(reason(verify(Self.publishedV1, secrets: [Self.rotatedSecret])) == "signature_mismatch")
    }

    @Test func anyMatchingEntryAmongSeveralVerifies() {
        let header = "v1,Zm9vYmFyYmF6Zm9vYmFyYmF6Zm9vYmFyYmF6Zm9vYmE= v2,whatever \(Self.publishedV1)  v1,AAAA"
        #expect(verify(header) == .verified(.hmac))
    }

    @Test func spacesAndTabsAroundTheHeaderAreIgnored() {
        #expect(verify(" \t\(Self.publishedV1)\t  ") == .verified(.hmac))
        // Inside an entry a tab is not a separator: the entry is not valid base64.
        #expect(reason(verify("v1,\t" + Self.publishedV1.dropFirst(3))) == "malformed_signature")
    }

    @Test func moreThanEightSignatureEntriesAre400BeforeAnyIsChecked() {
        // Nine v1a entries against a JWKS would be nine Ed25519 checks per key; the valid v1 is not even looked at.
        let junk = Array(repeating: "v1a," + SignatureBase64.encode([UInt8](repeating: 7, count: 64)), count: 8)
        let keySet = JSONWebKeySet(keys: [])
        let nine = verify((junk + [Self.publishedV1]).joined(separator: " "), keySet: keySet, jwksConfigured: true)
        #expect(reason(nine) == "too_many_signatures")
        if case .rejected(let failure) = nine { #expect(failure.isBadRequest) }
        // Eight, the cap, are still read: a sender rotating several secrets is not refused.
        #expect(verify((junk.dropLast() + [Self.publishedV1]).joined(separator: " ")) == .verified(.hmac))
    }

    @Test func tamperedBodyIdOrTimestampIsRejected() {
        #expect(reason(verify(Self.publishedV1, body: Array(#"{"test": 2432232315}"#.utf8))) == "signature_mismatch")
        #expect(reason(verify(Self.publishedV1, id: "msg_other")) == "signature_mismatch")
        #expect(reason(verify(Self.publishedV1, timestamp: String(Self.timestamp + 1))) == "signature_mismatch")
    }

    @Test func timestampOutsideToleranceIsRejectedInBothDirections() {
        #expect(verify(Self.publishedV1, now: Self.timestamp + 300) == .verified(.hmac))
        #expect(verify(Self.publishedV1, now: Self.timestamp - 300) == .verified(.hmac))
        for now in [Self.timestamp + 301, Self.timestamp - 301, Int64.min, Int64.max] {
            let result = verify(Self.publishedV1, now: now)
            #expect(reason(result) == "timestamp_out_of_tolerance")
            if case .rejected(let failure) = result { #expect(!failure.isBadRequest) }
        }
    }

    @Test func timestampIsCheckedBeforeTheSignature() {
        #expect(reason(verify("v1,AAAA", now: Self.timestamp + 10_000)) == "timestamp_out_of_tolerance")
    }

    @Test(arguments: ["", "abc", "1614265330.5", "+1614265330", " 1614265330", "99999999999999999999", "-9223372036854775808"])
    func nonIntegerTimestampIsABadRequest(timestamp: String) {
        guard case .rejected(let failure) = verify(Self.publishedV1, timestamp: timestamp) else {
            Issue.record("expected a rejection"); return
        }
        #expect(failure.reason == "invalid_timestamp")
        #expect(failure.isBadRequest)
    }

    @Test func emptyIdOrSignatureIsABadRequest() {
        guard case .rejected(let noID) = verify(Self.publishedV1, id: ""),
              case .rejected(let noSignature) = verify("  ") else {
            Issue.record("expected rejections"); return
        }
        #expect(noID.isBadRequest && noID.reason == "missing_webhook_id")
        #expect(noSignature.isBadRequest && noSignature.reason == "missing_signature")
    }

    @Test(arguments: ["garbage", "v2,abc v3,def", "v1,***not base64***", "v1"])
    func headerWithoutAParseableEntryIsMalformed(header: String) {
        guard case .rejected(let failure) = verify(header) else { Issue.record("expected a rejection"); return }
        #expect(failure.reason == "malformed_signature")
        #expect(!failure.isBadRequest)
    }

    @Test func failureMessagesNeverMentionKeys() {
        guard case .rejected(let failure) = verify("v1,Zm9vYmFyYmF6Zm9vYmFyYmF6Zm9vYmFyYmF6Zm9vYmE=") else {
            Issue.record("expected a rejection"); return
        }
        #expect(!failure.message.contains("whsec"))
        #expect(!failure.message.contains("MfKQ"))
    }

    // MARK: v1a

    var v1aHeader: String {
        WebhookSigner.signatureHeader(
            for: SignedContent(id: Self.id, timestamp: Self.timestamp, body: Self.body), secrets: [],
            ed25519Keys: [Self.signingKey])
    }

    func keySet(withSigningKeyAmong others: Int) throws -> JSONWebKeySet {
        var keys: [[String: Any]] = (0..<others).map { _ in
            SignatureFixtures.ed25519JWK(kid: nil, key: Curve25519.Signing.PrivateKey().publicKey)
        }
        let published = try Curve25519.Signing.PublicKey(rawRepresentation: Self.signingKey.publicKey.rawBytes)
        keys.append(SignatureFixtures.ed25519JWK(kid: "sender-2024", key: published))
        return try SignatureFixtures.keySet(keys)
    }

    /// The first v1a entry is checked against every key, however many; entries after it only
    /// while the call's checks stay within the budget (a JWKS of 700 keys made eight junk entries
    /// cost 5,600 checks on the event loop).
    @Test func v1aEntriesAfterTheFirstAreCheckedWithinTheBudget() throws {
        let junk = "v1a," + SignatureBase64.encode([UInt8](repeating: 7, count: 64))
        // Four keys: eight entries, 32 checks, the valid one last still found.
        let small = try keySet(withSigningKeyAmong: 3)
        #expect(verify(Array(repeating: junk, count: 7).joined(separator: " ") + " " + v1aHeader, secrets: [], keySet: small, jwksConfigured: true) == .verified(.ed25519))
        // Forty keys: the first entry is checked against all forty, so a valid one is found there…
        let large = try keySet(withSigningKeyAmong: 39)
        #expect(verify(v1aHeader + " " + junk, secrets: [], keySet: large, jwksConfigured: true) == .verified(.ed25519))
        // …but an entry after a junk one is past the budget.
        #expect(reason(verify(junk + " " + v1aHeader, secrets: [], keySet: large, jwksConfigured: true)) == "signature_mismatch")
    }

    @Test func v1aVerifiesAgainstAnEd25519KeyOfTheKeySet() throws {
        let result = verify(v1aHeader, secrets: [], keySet: try keySet(withSigningKeyAmong: 2), jwksConfigured: true)
        #expect(result == .verified(.ed25519))
    }

    @Test func v1aWithoutAKeySetNeedsOne() {
        #expect(verify(v1aHeader, secrets: [], keySet: nil, jwksConfigured: true) == .needsKeySet)
    }

    @Test func v1aWhenTheKeySetHasNoEd25519KeyNeedsARefetch() throws {
        let rsaOnly = try SignatureFixtures.keySet([SignatureFixtures.rsaJWK(kid: "rsa-1")])
        #expect(verify(v1aHeader, secrets: [], keySet: rsaOnly, jwksConfigured: true) == .needsKeySet)
    }

    @Test func v1aSignedByAnUnpublishedKeyIsRejectedAsPossiblyStale() throws {
        let strangers = try SignatureFixtures.keySet([SignatureFixtures.ed25519JWK(kid: nil, key: Curve25519.Signing.PrivateKey().publicKey)])
        guard case .rejected(let failure) = verify(v1aHeader, secrets: [], keySet: strangers, jwksConfigured: true) else {
            Issue.record("expected a rejection"); return
        }
        #expect(failure.reason == "signature_mismatch")
        #expect(failure.keySetMayBeStale)
    }

    @Test func v1aWithoutAConfiguredJWKSIsRejected() {
        #expect(reason(verify(v1aHeader, keySet: nil, jwksConfigured: false)) == "jwks_not_configured")
    }

    @Test func matchingHMACEntryVerifiesEvenWhenTheKeySetIsMissing() {
        #expect(verify(Self.publishedV1 + " " + v1aHeader, keySet: nil, jwksConfigured: true) == .verified(.hmac))
    }

    @Test func failingHMACEntryFallsBackToTheKeySetForV1a() throws {
        let header = "v1,Zm9vYmFyYmF6Zm9vYmFyYmF6Zm9vYmFyYmF6Zm9vYmE= " + v1aHeader
        #expect(verify(header, keySet: nil, jwksConfigured: true) == .needsKeySet)
        #expect(verify(header, keySet: try keySet(withSigningKeyAmong: 0), jwksConfigured: true) == .verified(.ed25519))
    }

    @Test func tamperedBodyFailsV1a() throws {
        let result = verify(v1aHeader, secrets: [], body: Array("{}".utf8), keySet: try keySet(withSigningKeyAmong: 1), jwksConfigured: true)
        #expect(reason(result) == "signature_mismatch")
    }
}
