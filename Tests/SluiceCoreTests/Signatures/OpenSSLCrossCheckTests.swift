import Foundation
import Testing

@testable import SluiceCore

/// Checks our v1 HMAC against an independent implementation: the `openssl` command line.
@Suite struct OpenSSLCrossCheckTests {
    static let openssl = "/usr/bin/openssl"

    /// Runs `openssl dgst -sha256 -mac HMAC -macopt hexkey:… -binary` over `message`.
    func opensslHMAC(keyHex: String, message: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.openssl)
        process.arguments = ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(keyHex)", "-binary"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(message))
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return [UInt8](result)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: openssl)))
    func v1SignatureMatchesOpenSSLForRandomInputs() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            let secret = WebhookSecret.generate(using: &rng, byteCount: Int.random(in: 24...64, using: &rng))
            let id = "msg_" + String(UInt64.random(in: 0...UInt64.max, using: &rng), radix: 36)
            let timestamp = Int64.random(in: 1_600_000_000...1_900_000_000, using: &rng)
            let body = (0..<Int.random(in: 0...2048, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let content = SignedContent(id: id, timestamp: timestamp, body: body)

            let keyHex = secret.keyBytes.map { String(format: "%02x", $0) }.joined()
            let expected = try opensslHMAC(keyHex: keyHex, message: Array("\(id).\(timestamp).".utf8) + body)
            #expect(expected.count == 32)

            let header = WebhookSigner.signatureHeader(for: content, secrets: [secret], ed25519Keys: [])
            #expect(header == "v1," + Data(expected).base64EncodedString())
        }
    }
}
