import Testing

@testable import SluiceCore

/// The published Standard Webhooks test vectors, signed and verified.
@Suite struct WebhookSignerTests {
    static let firstVector = SignedContent(
        id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
    static let secondVector = SignedContent(
        id: "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", timestamp: 1_649_367_553,
        body: Array(#"{"email":"test@example.com","username":"test_user"}"#.utf8))
    static let ed25519Seed = "VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk="
    static let expectedV1a =
        "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag=="

    @Test func firstPublishedHMACVectorSignsAsPublished() throws {
        let secret = try WebhookSecret(parsing: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let header = WebhookSigner.signatureHeader(for: Self.firstVector, secrets: [secret], ed25519Keys: [])
        #expect(header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func secondPublishedHMACVectorSignsAsPublished() throws {
        let secret = try WebhookSecret(parsing: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
        let header = WebhookSigner.signatureHeader(for: Self.secondVector, secrets: [secret], ed25519Keys: [])
        #expect(header == "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=")
    }

    @Test func publishedEd25519VectorSignsAsPublished() throws {
        let key = try Ed25519SigningKey(parsing: "whsk_" + Self.ed25519Seed)
        #expect(key.publicKey.encoded == "whpk_ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g=")
        let header = WebhookSigner.signatureHeader(for: Self.firstVector, secrets: [], ed25519Keys: [key])
        #expect(header == Self.expectedV1a)
    }

    @Test func headerListsEveryHMACEntryBeforeEveryEd25519Entry() throws {
        let first = try WebhookSecret(parsing: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let second = try WebhookSecret(parsing: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
        let key = try Ed25519SigningKey(parsing: Self.ed25519Seed)
        let header = WebhookSigner.signatureHeader(for: Self.firstVector, secrets: [first, second], ed25519Keys: [key])
        let entries = header.split(separator: " ").map(String.init)
        try #require(entries.count == 3)
        #expect(entries[0] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(entries[1].hasPrefix("v1,"))
        #expect(entries[2] == Self.expectedV1a)
    }

    @Test func signedHeaderVerifiesWithTheVerifier() throws {
        let secret = try WebhookSecret(parsing: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
        let content = Self.secondVector
        let header = WebhookSigner.signatureHeader(for: content, secrets: [secret], ed25519Keys: [])
        let verifier = WebhookVerifier(hmacSecrets: [secret], toleranceSeconds: 300, audience: nil)
        let result = verifier.verify(
            id: content.id, timestamp: String(content.timestamp), signatureHeader: header, body: content.body,
            now: content.timestamp, keySet: nil, jwksConfigured: false)
        #expect(result == .verified(.hmac))
    }
}
