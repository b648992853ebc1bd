import ArgumentParser
import Foundation
import SluiceCore
import SluiceDelivery
import SluiceEdge
import SluiceRuntime

/// `sluice doctor`: given a captured webhook call, says which verification the edge would apply
/// to it, and why it would be accepted or refused — the first thing to look at when a sender's
/// format shifts.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Explain how the edge would verify a captured webhook call (headers file + body file).",
        discussion: """
            The headers file holds `Name: value` lines (a raw HTTP head, or `curl -v` output with its `> ` marks); \
            its request line, if any, names the source (/webhooks/<source>). The verdict is the edge's own verifier's, \
            with the source's secrets and JWKS from --config. Exit 0 when the call would be accepted, 1 when refused, \
            2 for a bad file or option.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "File with the captured request head: webhook-id, webhook-timestamp and webhook-signature lines.")
    var headers: String

    @Option(help: "File with the captured body, byte for byte.")
    var body: String

    @Option(help: "The source to verify for (default: from the request line's /webhooks/<source>).")
    var source: String?

    @Option(help: "A JWKS document to verify v1a entries and JWTs with, instead of fetching the source's JWKS URL.")
    var jwks: String?

    @Option(help: "Judge the timestamp as of this unix time in seconds (default: now).")
    var now: Int64?

    @Flag(help: "Judge the timestamp as of the webhook-timestamp itself (a call captured long ago).")
    var atCapture = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        if now != nil && atCapture {
            throw ValidationError("--now and --at-capture both say when to judge the timestamp; give one")
        }
    }

    func run() async throws {
        let headText = String(decoding: try InputFile.read(headers, flag: "--headers"), as: UTF8.self)
        let bodyData = try InputFile.read(body, flag: "--body")
        let captured = CapturedRequest(headText: headText)
        guard let name = source ?? captured.sourceFromPath else {
            throw usage("say which source: --source NAME, or a request line with /webhooks/<source> in the headers file")
        }
        let loaded: LoadedRoutes
        do {
            loaded = try RoutesFileSource(path: global.configPath).load()
        } catch {
            // Only this source's secrets matter here: tenants' signing secrets (and other
            // sources') need not be set where a call is being diagnosed.
            let blocking = error.diagnostics.filter { $0.severity == .error && !Self.isOtherMissingSecret($0, source: name) }
            guard blocking.isEmpty, let relaxed = try? RoutesFileSource(path: global.configPath, allowMissingSecrets: true).load() else {
                // What stops the diagnosis, not the tenants' unset secrets it does not need.
                for diagnostic in blocking.isEmpty ? error.diagnostics : blocking {
                    FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
                }
                throw ExitCode(2)
            }
            loaded = relaxed
        }
        guard let config = loaded.config.sources[name] else {
            throw usage("no source named '\(name)' in \(global.configPath) (it has \(loaded.config.sources.keys.sorted().joined(separator: ", ")))")
        }
        let id = captured.headers["webhook-id"] ?? ""
        let timestamp = captured.headers["webhook-timestamp"] ?? ""
        let signature = captured.headers["webhook-signature"] ?? ""
        let judgedAt = atCapture ? (WebhookVerifier.parseTimestamp(timestamp) ?? 0) : (now ?? Int64(Date().timeIntervalSince1970))
        let keySet = try await keys(for: config)
        let verifier = WebhookVerifier(
            hmacSecrets: config.hmacSecrets, toleranceSeconds: config.tolerance.components.seconds, audience: config.jwks?.audience)
        let diagnosis = SignatureDiagnosis(
            verifier: verifier, id: id, timestamp: timestamp, signatureHeader: signature, body: [UInt8](bodyData), now: judgedAt,
            keySet: keySet.set, jwksConfigured: config.jwks != nil)
        let verdict = Verdict(
            diagnosis.verdict, keySetAtHand: keySet.set != nil,
            before: CapturedCallChecks.beforeVerifying(
                id: captured.headers["webhook-id"], timestamp: captured.headers["webhook-timestamp"],
                signature: captured.headers["webhook-signature"], bodySize: bodyData.count, maxBody: config.maxBody),
            after: { CapturedCallChecks.afterVerifying(body: [UInt8](bodyData), contentEncoding: captured.headers["content-encoding"]) })
        if json {
            print(JSONOutput.line([
                "source": name, "accepted": verdict.accepted, "status": verdict.status, "reason": verdict.reason, "message": verdict.message,
                "method": verdict.method ?? NSNull(), "webhook_id": id, "timestamp_skew_seconds": diagnosis.timestampSkew ?? NSNull(),
                "tolerance_seconds": diagnosis.toleranceSeconds, "jwks": keySet.note,
                "entries": diagnosis.entries.map { ["form": $0.form, "finding": $0.finding, "matches": $0.matches] },
            ]))
        } else {
            var lines = ["source: \(name) (\(config.hmacSecrets.count) HMAC secret(s); JWKS: \(keySet.note); JWT audience: \(config.jwks?.audience ?? "none, so JWTs are refused"))"]
            lines.append("webhook-id: \(id.isEmpty ? "(missing)" : id)")
            if let skew = diagnosis.timestampSkew {
                lines.append("webhook-timestamp: \(timestamp), \(skew) s from the time judged at (tolerance \(diagnosis.toleranceSeconds) s): \(skew <= diagnosis.toleranceSeconds ? "within" : "OUTSIDE")")
            } else {
                lines.append("webhook-timestamp: \(timestamp.isEmpty ? "(missing)" : "'\(timestamp)' is not an integer")")
            }
            lines.append("webhook-signature: \(diagnosis.entries.count) entr\(diagnosis.entries.count == 1 ? "y" : "ies")")
            for (index, entry) in diagnosis.entries.enumerated() {
                lines.append("  \(index + 1). \(entry.form): \(entry.finding)")
            }
            lines.append(verdict.accepted
                ? "verdict: ACCEPTED by \(verdict.method ?? "?") — the edge would store it and answer 202 (or 200 for a duplicate id)"
                : "verdict: REFUSED \(verdict.status) \(verdict.reason) — \(verdict.message)")
            print(lines.joined(separator: "\n"))
        }
        if !verdict.accepted { throw ExitCode(1) }
    }

    /// The key set to verify with: --jwks, else the source's JWKS URL fetched once, else none.
    private func keys(for config: SourceConfig) async throws -> (set: JSONWebKeySet?, note: String) {
        if let jwks {
            let data = try InputFile.read(jwks, flag: "--jwks")
            do {
                return (try JSONWebKeySet(json: [UInt8](data)), "\(jwks) (--jwks)")
            } catch {
                throw usage("--jwks \(jwks) is not a JWKS document: \(error)")
            }
        }
        guard let url = config.jwks?.url else { return (nil, "none") }
        let client = try HTTPClient()
        defer { client.shutdown() }
        let request = HTTPRequest(method: "GET", url: url, headers: [HTTPHeader(name: "accept", value: "application/json")], body: [], timeout: .seconds(5))
        guard let response = try? await client.execute(request), response.status == 200, let set = try? JSONWebKeySet(json: response.body) else {
            return (nil, "\(url) could not be fetched (pass --jwks FILE)")
        }
        return (set, url)
    }

    private func usage(_ message: String) -> ValidationError { ValidationError(message) }

    /// A secret that cannot be resolved (an unset variable, an unreadable file) outside `source`'s block.
    static func isOtherMissingSecret(_ diagnostic: RoutesDiagnostic, source: String) -> Bool {
        guard let unresolved = diagnostic.unresolvedSecret else { return false }
        return unresolved.source != source
    }

    /// The edge's answer for a verdict.
    private struct Verdict {
        var accepted: Bool
        var status: Int
        var reason: String
        var message: String
        var method: String?

        /// The edge's checks in its order: `before` (the headers, the body's size), the
        /// signature, then `after` (the body's encoding and JSON).
        init(
            _ verification: WebhookVerification, keySetAtHand: Bool, before: CapturedCallChecks.Refusal?,
            after: () -> CapturedCallChecks.Refusal?
        ) {
            if let before {
                self.init(before)
                return
            }
            switch verification {
            case .verified(let method):
                if let refusal = after() {
                    self.init(refusal)
                } else {
                    self.init(accepted: true, status: 202, reason: "verified", message: "verified", method: method.rawValue)
                }
            case .rejected(let failure):
                self.init(accepted: false, status: failure.isBadRequest ? 400 : 401, reason: failure.reason, message: failure.message, method: nil)
            case .needsKeySet where keySetAtHand:
                // The set at hand (--jwks, or just fetched) is current: the edge answers the same.
                self.init(CapturedCallChecks.unknownKey)
            case .needsKeySet:
                self.init(
                    accepted: false, status: 503, reason: "jwks_unavailable",
                    message: "only the source's JWKS could verify this call and no key set verifying it is at hand; pass --jwks FILE", method: nil)
            }
        }

        init(_ refusal: CapturedCallChecks.Refusal) {
            self.init(accepted: false, status: refusal.status, reason: refusal.reason, message: refusal.message, method: nil)
        }

        init(accepted: Bool, status: Int, reason: String, message: String, method: String?) {
            self.accepted = accepted
            self.status = status
            self.reason = reason
            self.message = message
            self.method = method
        }
    }
}
