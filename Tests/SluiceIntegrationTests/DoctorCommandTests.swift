import Crypto
import Foundation
import SluiceCore
import SluiceTesting
import Testing

/// `sluice doctor` on captured calls: the verdict is the edge's, and each entry says what it matched.
@Suite struct DoctorCommandTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let audience = "https://hooks.example/webhooks/gemini"
    static let body = #"{"type":"interaction.completed","data":{"id":"interactions/1"}}"#

    static func base64URL(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Runs `sluice doctor` on a capture with `signature`; returns exit status and output.
    static func doctor(
        _ dir: ScratchDirectory, signature: String, timestamp: Int64, key: Curve25519.Signing.PrivateKey, extra: [String] = [],
        withoutID: Bool = false, moreHeaders: [String] = [], body: String = Self.body
    ) async throws -> (status: Int32, output: String) {
        let routes = try dir.write("routes.yaml", """
            version: 1
            sources:
              gemini:
                verify:
                  hmac: {secrets: ["\(secret)"]}
                  jwks: {url: "http://127.0.0.1:9/unused", audience: "\(audience)"}
            tenants:
              acme:
                signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
                endpoints:
                  main: {url: "https://hooks.acme.example/gemini"}
            routes:
              - name: all
                match: {source: gemini}
                to: [acme/main]
            """)
        let jwks = try dir.write(
            "jwks.json", #"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"\#(base64URL(key.publicKey.rawRepresentation))"}]}"#)
        // As `curl -v` prints a request head.
        let lines = ["POST /webhooks/gemini/acme HTTP/1.1", "Host: gateway.example"] + (withoutID ? [] : ["webhook-id: msg_doctor"])
            + ["webhook-timestamp: \(timestamp)", "webhook-signature: \(signature)"] + moreHeaders
        let head = try dir.write("head.txt", (lines + [""]).map { "> " + $0 }.joined(separator: "\n"))
        let body = try dir.write("body.json", body)
        return try await SluiceBinary.run(["doctor", "--config", routes, "--headers", head, "--body", body, "--jwks", jwks] + extra)
    }

    @Test func eachVerificationPathIsNamedAndRefusalsSayWhy() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let key = Curve25519.Signing.PrivateKey()
        let now = Int64(Date().timeIntervalSince1970)
        let content = SignedContent(id: "msg_doctor", timestamp: now, body: Array(Self.body.utf8))

        let v1 = WebhookSigner.signatureHeader(for: content, secrets: [try WebhookSecret(parsing: Self.secret)])
        let hmac = try await Self.doctor(dir, signature: v1, timestamp: now, key: key)
        #expect(hmac.status == 0, "\(hmac.output)")
        #expect(hmac.output.contains("matches secret 1 of verify.hmac.secrets") && hmac.output.contains("ACCEPTED by hmac"), "\(hmac.output)")

        let v1a = WebhookSigner.signatureHeader(for: content, secrets: [], ed25519Keys: [try Ed25519SigningKey(seed: Array(key.rawRepresentation))])
        let ed = try await Self.doctor(dir, signature: v1a, timestamp: now, key: key)
        #expect(ed.status == 0, "\(ed.output)")
        #expect(ed.output.contains("verifies with JWKS key k1") && ed.output.contains("ACCEPTED by ed25519"), "\(ed.output)")

        let header = Self.base64URL(Data(#"{"alg":"EdDSA","typ":"JWT","kid":"k1"}"#.utf8))
        let claims = Self.base64URL(Data(#"{"aud":"\#(Self.audience)","exp":\#(now + 300),"iat":\#(now)}"#.utf8))
        let input = header + "." + claims
        let token = input + "." + Self.base64URL(try key.signature(for: Data(input.utf8)))
        let jwt = try await Self.doctor(dir, signature: token, timestamp: now, key: key, extra: ["--json"])
        #expect(jwt.status == 0, "\(jwt.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(jwt.output.utf8)) as? [String: Any], "\(jwt.output)")
        #expect(object["accepted"] as? Bool == true && object["method"] as? String == "jwt")

        let wrong = try await Self.doctor(dir, signature: "v1," + Data(repeating: 1, count: 32).base64EncodedString(), timestamp: now, key: key)
        #expect(wrong.status == 1, "\(wrong.output)")
        #expect(wrong.output.contains("matches none of the 1 secret(s)") && wrong.output.contains("REFUSED 401 signature_mismatch"), "\(wrong.output)")

        let stale = try await Self.doctor(dir, signature: v1, timestamp: now - 3600, key: key)
        #expect(stale.status == 1, "\(stale.output)")
        #expect(stale.output.contains("OUTSIDE") && stale.output.contains("timestamp_out_of_tolerance"), "\(stale.output)")
        // Judged as of its own timestamp, the old capture's signature is explained too.
        let atCapture = try await Self.doctor(dir, signature: WebhookSigner.signatureHeader(
            for: SignedContent(id: "msg_doctor", timestamp: now - 3600, body: Array(Self.body.utf8)), secrets: [try WebhookSecret(parsing: Self.secret)]),
            timestamp: now - 3600, key: key, extra: ["--at-capture"])
        #expect(atCapture.status == 0, "\(atCapture.output)")
        // Two answers to "judged when?" are a usage error, not one of them silently ignored.
        let both = try await Self.doctor(dir, signature: v1, timestamp: now, key: key, extra: ["--at-capture", "--now", "\(now)"])
        #expect(both.status == 2 && both.output.contains("--now and --at-capture"), "\(both.output)")
    }

    /// The verdict is the edge's whole answer, not only its verifier's: the header checks before
    /// the signature, a key set at hand that lacks the call's key, and the body checks after it.
    @Test func theVerdictIsTheAnswerTheEdgeWouldGive() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let key = Curve25519.Signing.PrivateKey()
        let now = Int64(Date().timeIntervalSince1970)
        let secrets = [try WebhookSecret(parsing: Self.secret)]
        let v1 = WebhookSigner.signatureHeader(for: SignedContent(id: "msg_doctor", timestamp: now, body: Array(Self.body.utf8)), secrets: secrets)

        let noID = try await Self.doctor(dir, signature: v1, timestamp: now, key: key, withoutID: true)
        #expect(noID.status == 1 && noID.output.contains("REFUSED 400 missing_header — the webhook-id header is required"), "\(noID.output)")

        // The --jwks set is at hand and current, and has no key k2: the edge answers 401, not 503.
        let header = Self.base64URL(Data(#"{"alg":"EdDSA","typ":"JWT","kid":"k2"}"#.utf8))
        let claims = Self.base64URL(Data(#"{"aud":"\#(Self.audience)","exp":\#(now + 300),"iat":\#(now)}"#.utf8))
        let token = header + "." + claims + "." + Self.base64URL(try key.signature(for: Data((header + "." + claims).utf8)))
        let unknown = try await Self.doctor(dir, signature: token, timestamp: now, key: key)
        #expect(unknown.status == 1 && unknown.output.contains("REFUSED 401 unknown_key"), "\(unknown.output)")

        let gzip = try await Self.doctor(dir, signature: v1, timestamp: now, key: key, moreHeaders: ["Content-Encoding: gzip"])
        #expect(gzip.status == 1 && gzip.output.contains("REFUSED 415 unsupported_content_encoding"), "\(gzip.output)")

        let array = "[1]"
        let signedArray = WebhookSigner.signatureHeader(for: SignedContent(id: "msg_doctor", timestamp: now, body: Array(array.utf8)), secrets: secrets)
        let notAnObject = try await Self.doctor(dir, signature: signedArray, timestamp: now, key: key, extra: ["--json"], body: array)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(notAnObject.output.utf8)) as? [String: Any], "\(notAnObject.output)")
        #expect(notAnObject.status == 1)
        #expect(object["accepted"] as? Bool == false && object["status"] as? Int == 400 && object["reason"] as? String == "not_an_object")
    }

    /// A capture is the caller's text: a timestamp at Int64's edge or a JWT claim of `1e300` is
    /// explained, not an arithmetic overflow (both crashed `doctor`).
    @Test func extremeTimestampsAndClaimsAreExplainedNotOverflowed() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let key = Curve25519.Signing.PrivateKey()
        let far = try await Self.doctor(dir, signature: "v1,AAAA", timestamp: -9_223_372_036_854_775_807, key: key, extra: ["--json"])
        #expect(far.status == 1, "\(far.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(far.output.utf8)) as? [String: Any], "\(far.output)")
        #expect((object["timestamp_skew_seconds"] as? NSNumber)?.int64Value == .max, "\(far.output)")

        let header = Self.base64URL(Data(#"{"alg":"EdDSA","typ":"JWT","kid":"k1"}"#.utf8))
        let claims = Self.base64URL(Data(#"{"aud":"\#(Self.audience)","exp":1e300,"iat":1e300,"nbf":-1e300}"#.utf8))
        let token = header + "." + claims + "." + Self.base64URL(Data(repeating: 7, count: 64))
        let jwt = try await Self.doctor(dir, signature: token, timestamp: Int64(Date().timeIntervalSince1970), key: key)
        #expect(jwt.status == 1, "\(jwt.output)")
        #expect(jwt.output.contains("exp in more than 10^15 s") && jwt.output.contains("iat less than -10^15 s ago")
            && jwt.output.contains("nbf in less than -10^15 s"), "\(jwt.output)")
    }

    /// Diagnosing a call needs the source's secrets, not the tenants' (which need not be set
    /// where an operator runs it); an unset secret of the source itself is still the error it is.
    @Test func onlyTheSourcesSecretsNeedToBeSet() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let routes = try dir.write("routes.yaml", """
            version: 1
            sources:
              gemini:
                verify:
                  hmac: {secrets: ["${env:DOCTOR_SOURCE_SECRET}"]}
                  jwks: false
            tenants:
              acme:
                signing: {secrets: ["${env:DOCTOR_UNSET_TENANT_SECRET}"]}
                endpoints:
                  main: {url: "https://hooks.acme.example/gemini"}
            routes:
              - name: all
                to: [acme/main]
            """)
        let now = Int64(Date().timeIntervalSince1970)
        let signature = WebhookSigner.signatureHeader(
            for: SignedContent(id: "msg_doctor", timestamp: now, body: Array(Self.body.utf8)), secrets: [try WebhookSecret(parsing: Self.secret)])
        let head = try dir.write("head.txt", "POST /webhooks/gemini HTTP/1.1\nwebhook-id: msg_doctor\nwebhook-timestamp: \(now)\nwebhook-signature: \(signature)\n")
        let body = try dir.write("body.json", Self.body)
        let arguments = ["doctor", "--config", routes, "--headers", head, "--body", body]
        let accepted = try await SluiceBinary.run(
            arguments, environment: ["DOCTOR_SOURCE_SECRET": Self.secret], unsetting: ["DOCTOR_UNSET_TENANT_SECRET"])
        #expect(accepted.status == 0 && accepted.output.contains("ACCEPTED"), "\(accepted.output)")
        let unset = try await SluiceBinary.run(arguments, unsetting: ["DOCTOR_SOURCE_SECRET", "DOCTOR_UNSET_TENANT_SECRET"])
        #expect(unset.status == 2, "\(unset.output)")
        #expect(unset.output.contains("environment variable 'DOCTOR_SOURCE_SECRET' referenced by secret 1 of 'verify.hmac' of source 'gemini' is not set"), "\(unset.output)")
        // Only what stops the diagnosis: the tenant's unset secret is not named.
        #expect(!unset.output.contains("DOCTOR_UNSET_TENANT_SECRET"), "\(unset.output)")
    }
}
