import Foundation
import SluiceCore
import Testing

/// `routes explain` and `keygen`, run as an operator would.
@Suite struct OperatorToolsTests {
    static let exampleRoutes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("routes.yaml").path

    @Test func explainNamesTheReceiversAndWhyOtherRoutesDidNotMatch() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let body = try dir.write("event.json", #"{"type":"batch.succeeded","data":{"output_file_uri":"files/acme-123"}}"#)
        let result = try await SluiceBinary.run(["routes", "explain", Self.exampleRoutes, "--source", "gemini", "--channel", "acme", "--body", body, "--json"])
        #expect(result.status == 0, "\(result.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["targets"] as? [String] == ["acme/main", "acme/archive", "ops/audit"])
        let routes = try #require(object["routes"] as? [[String: Any]])
        let failures = try #require(routes.first { $0["route"] as? String == "failures-to-ops" })
        #expect(failures["outcome"] as? String == "not_matched")
        #expect((failures["reasons"] as? [String])?.contains { $0.contains("batch.succeeded") } == true)
    }

    @Test func explainSaysNoRouteWhenNothingMatches() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let routes = try dir.write("routes.yaml", """
            version: 1
            sources:
              gemini: {kind: standard-webhooks, verify: {hmac: {secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}}}
            tenants:
              acme:
                signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
                endpoints: {main: {url: "https://hooks.acme.example/x"}}
            routes:
              - {name: videos, match: {events: ["video.*"]}, to: [acme/main]}
            """)
        let body = try dir.write("event.json", #"{"type":"batch.succeeded"}"#)
        let result = try await SluiceBinary.run(["routes", "explain", routes, "--source", "gemini", "--body", body])
        #expect(result.status == 0)
        #expect(result.output.contains("no_route"))
        #expect(result.output.contains("video.*"))
    }

    @Test func keygenPrintsUsableSecretsAndKeyPairs() async throws {
        let secret = try await SluiceBinary.run(["keygen"])
        #expect(secret.status == 0)
        let parsed = try WebhookSecret(parsing: secret.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(parsed.keyBytes.count == 32)

        let pair = try await SluiceBinary.run(["keygen", "--ed25519"])
        #expect(pair.status == 0)
        let lines = pair.output.split(separator: "\n").map { $0.split(separator: " ").last.map(String.init) ?? "" }
        let privateKey = try Ed25519SigningKey(parsing: try #require(lines.first { $0.hasPrefix("whsk_") }))
        let publicKey = try Ed25519PublicKey(parsing: try #require(lines.first { $0.hasPrefix("whpk_") }))
        #expect(privateKey.publicKey == publicKey)

        let secretJSON = try await SluiceBinary.run(["keygen", "--bytes", "48", "--json"])
        let secretObject = try #require(try JSONSerialization.jsonObject(with: Data(secretJSON.output.utf8)) as? [String: String], "\(secretJSON.output)")
        #expect(try WebhookSecret(parsing: try #require(secretObject["secret"])).keyBytes.count == 48)
        let pairJSON = try await SluiceBinary.run(["keygen", "--ed25519", "--json"])
        let pairObject = try #require(try JSONSerialization.jsonObject(with: Data(pairJSON.output.utf8)) as? [String: String], "\(pairJSON.output)")
        let jsonPrivate = try Ed25519SigningKey(parsing: try #require(pairObject["private"]))
        #expect(jsonPrivate.publicKey == (try Ed25519PublicKey(parsing: try #require(pairObject["public"]))))

        let tooShort = try await SluiceBinary.run(["keygen", "--bytes", "16"])
        #expect(tooShort.status == 2)
    }
}
