import Foundation
import SluiceRedis
import SluiceTesting
import Testing

/// `sluice send-test` against a real `sluice edge`: every sample event is accepted, a wrong secret is shown as the 401 it gets.
@Suite struct SendTestCommandTests {
    /// The types `send-test` has sample bodies for (`SampleEvents.types` in the CLI).
    static let sampleTypes = ["batch.succeeded", "batch.failed", "interaction.completed", "video.generated"]

    @Test func everySampleEventIsAcceptedAndAWrongSecretShowsThe401() async throws {
        try await withRedis { redis in
            var gateway = try GatewayProcesses(
                redis: redis, routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: "http://127.0.0.1:9/hook", routes: GatewayProcesses.everyEventToMain))
            defer { gateway.close() }
            let edge = try await gateway.startEdge()
            defer { edge.send(SIGKILL) }
            let url = "http://127.0.0.1:\(gateway.edgePort)/webhooks/gemini"

            for type in Self.sampleTypes {
                let result = try await SluiceBinary.run(["send-test", "--url", url, "--secret", GatewayProcesses.sourceSecret, "--type", type])
                #expect(result.status == 0, "\(type): \(result.output)")
                #expect(result.output.contains("type: \(type)") && result.output.contains("← 202"), "\(type): \(result.output)")
            }
            // A type of its own, with characters JSON must escape (the body was invalid JSON: 400).
            let odd = try await SluiceBinary.run(["send-test", "--url", url, "--secret", GatewayProcesses.sourceSecret, "--type", "acme\\batch\"done\"\n"])
            #expect(odd.status == 0 && odd.output.contains("← 202"), "\(odd.output)")
            // Only a worker reads the ingress stream, and none runs: every accepted event is still there.
            #expect(try await gateway.store.status().ingressLength == Self.sampleTypes.count + 1)

            let json = try await SluiceBinary.run(["send-test", "--url", url, "--secret", GatewayProcesses.sourceSecret, "--id", "msg_json", "--json"])
            #expect(json.status == 0, "\(json.output)")
            let accepted = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], "\(json.output)")
            #expect(accepted["status"] as? Int == 202)
            #expect(accepted["webhook_id"] as? String == "msg_json")
            #expect((accepted["response"] as? [String: Any])?["id"] as? String == "msg_json")
            #expect(accepted["error"] is NSNull)

            let wrong = try await SluiceBinary.run(["send-test", "--url", url, "--secret", GatewayProcesses.tenantSecret])
            #expect(wrong.status == 1, "\(wrong.output)")
            #expect(wrong.output.contains("← 401") && wrong.output.contains("signature_mismatch"), "\(wrong.output)")
            #expect(wrong.output.contains("hint: the secret given (--secret or GEMINI_WEBHOOK_SECRET) is not one the source verifies with"), "\(wrong.output)")
            // Nothing listening: the transport error, and what to check.
            let closed = try #require(FreePort.pick())
            let nobody = try await SluiceBinary.run(["send-test", "--url", "http://127.0.0.1:\(closed)/webhooks/gemini", "--secret", GatewayProcesses.sourceSecret])
            #expect(nobody.status == 1 && nobody.output.contains("hint: is the edge running there?"), "\(nobody.output)")
            let wrongJSON = try await SluiceBinary.run(["send-test", "--url", url, "--secret", GatewayProcesses.tenantSecret, "--json"])
            #expect(wrongJSON.status == 1)
            let refused = try #require(try JSONSerialization.jsonObject(with: Data(wrongJSON.output.utf8)) as? [String: Any], "\(wrongJSON.output)")
            #expect(refused["status"] as? Int == 401)
            #expect((refused["response"] as? [String: Any])?["reason"] as? String == "signature_mismatch")
        }
    }
}
