import ArgumentParser
import Foundation
import SluiceCore
import SluiceDelivery

/// `sluice send-test`: sign a sample Gemini event and POST it — the quickest way to try an install.
struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Sign a sample Gemini event (Standard Webhooks v1) and POST it."
    )

    @Option(help: "Where to send it (env SLUICE_SEND_TEST_URL).")
    var url: String?

    @Option(help: "whsec_ secret of the source (env GEMINI_WEBHOOK_SECRET).")
    var secret: String?

    @Option(help: "Event type; sample bodies exist for \(SampleEvents.types.joined(separator: ", ")); any other type gets a minimal body.")
    var type: String = "batch.succeeded"

    @Option(help: "webhook-id to use (default: a new one); send the same id twice to see deduplication.")
    var id: String?

    @Flag(help: "Print one JSON object: url, webhook_id, type, status, response (the edge's JSON answer), error.")
    var json = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let target = url ?? environment["SLUICE_SEND_TEST_URL"] ?? "http://127.0.0.1:8080/webhooks/gemini"
        guard let secretText = secret ?? environment["GEMINI_WEBHOOK_SECRET"] else {
            throw ValidationError("give the source's secret with --secret (or GEMINI_WEBHOOK_SECRET)")
        }
        let key: WebhookSecret
        do {
            key = try WebhookSecret(parsing: secretText)
        } catch {
            throw ValidationError("--secret: \(error)")
        }
        let webhookID = id ?? "msg_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        let timestamp = Int64(Date().timeIntervalSince1970)
        let body = SampleEvents.body(for: type)
        let signature = WebhookSigner.signatureHeader(for: SignedContent(id: webhookID, timestamp: timestamp, body: body), secrets: [key])
        let client = try HTTPClient()
        defer { client.shutdown() }
        let request = HTTPRequest(
            url: target,
            headers: [
                HTTPHeader(name: "content-type", value: "application/json"),
                HTTPHeader(name: "webhook-id", value: webhookID),
                HTTPHeader(name: "webhook-timestamp", value: String(timestamp)),
                HTTPHeader(name: "webhook-signature", value: signature),
            ],
            body: body, timeout: .seconds(15))
        var result: [String: Any] = ["url": target, "webhook_id": webhookID, "type": type, "status": NSNull(), "response": NSNull(), "error": NSNull()]
        // Shown before the request, so a slow or hanging edge is visible as such.
        if !json { Stdout.line("POST \(target)\n  webhook-id: \(webhookID)\n  type: \(type)") }
        do {
            let response = try await client.execute(request)
            let text = String(decoding: response.body, as: UTF8.self)
            result["status"] = response.status
            result["response"] = (try? JSONSerialization.jsonObject(with: Data(response.body))) ?? text
            print(json ? JSONOutput.line(result) : "← \(response.status) \(text)")
            if !(200..<300).contains(response.status) {
                // The answer's JSON was parsed above; its `reason` says which refusal it is.
                let reason = (result["response"] as? [String: Any])?["reason"] as? String
                if !json, let hint = Self.hint(reason: reason) { FileHandle.standardError.write(Data("hint: \(hint)\n".utf8)) }
                throw ExitCode(1)
            }
        } catch let error as HTTPClientError {
            result["error"] = "\(error)"
            if json {
                print(JSONOutput.line(result))
            } else {
                FileHandle.standardError.write(Data("sluice send-test: \(error)\n".utf8))
                if error.kind == .connect {
                    FileHandle.standardError.write(Data("hint: is the edge running there? `sluice dev` starts one on 127.0.0.1:8080\n".utf8))
                }
            }
            throw ExitCode(1)
        }
    }

    /// What to do about the refusals a first try most often meets.
    static func hint(reason: String?) -> String? {
        switch reason {
        case "signature_mismatch":
            "the secret given (--secret or GEMINI_WEBHOOK_SECRET) is not one the source verifies with (its verify.hmac.secrets in routes.yaml); `sluice doctor` explains a refused call"
        case "unknown_source":
            "the URL's /webhooks/<source> names no source in routes.yaml"
        case "durability_unmet":
            "the edge's Redis lacks appendonly yes or evicts keys (or is down); the edge's log and its /readyz say which"
        default:
            nil
        }
    }
}
