import Foundation
import SluiceTesting
import Testing

@testable import SluiceCore

/// Checks our v1 HMAC against an independent implementation: the `openssl` command line.
@Suite struct OpenSSLCrossCheckTests {
    static let openssl = "/usr/bin/openssl"

    /// Runs `openssl dgst -sha256 -mac HMAC -macopt hexkey:… -binary` over `message`.
    func opensslHMAC(keyHex: String, message: [UInt8]) async throws -> [UInt8] {
        let result = try await ToolRun.run(
            URL(fileURLWithPath: Self.openssl), ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(keyHex)", "-binary"],
            input: message, mergingStandardError: false)
        #expect(result.status == 0)
        return result.output
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: openssl)))
    func v1SignatureMatchesOpenSSLForRandomInputs() async throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            let secret = WebhookSecret.generate(using: &rng, byteCount: Int.random(in: 24...64, using: &rng))
            let id = "msg_" + String(UInt64.random(in: 0...UInt64.max, using: &rng), radix: 36)
            let timestamp = Int64.random(in: 1_600_000_000...1_900_000_000, using: &rng)
            let body = (0..<Int.random(in: 0...2048, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let content = SignedContent(id: id, timestamp: timestamp, body: body)

            let keyHex = secret.keyBytes.map { String(format: "%02x", $0) }.joined()
            let expected = try await opensslHMAC(keyHex: keyHex, message: Array("\(id).\(timestamp).".utf8) + body)
            #expect(expected.count == 32)

            let header = WebhookSigner.signatureHeader(for: content, secrets: [secret], ed25519Keys: [])
            #expect(header == "v1," + Data(expected).base64EncodedString())
        }
    }
}
