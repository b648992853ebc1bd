import Foundation

/// Why one captured webhook call would be accepted or refused by a source: the verdict of the
/// very verifier the edge uses, and, entry by entry, what each signature matched.
///
/// The verdict is never recomputed here: `verdict` is ``WebhookVerifier/verify(id:timestamp:signatureHeader:body:now:keySet:jwksConfigured:)``'s
/// own answer. The entries only explain it, so an operator can see which secret or key an entry
/// was checked against when Gemini's format shifts.
public struct SignatureDiagnosis: Sendable {
    /// One space-separated entry of `webhook-signature`, or the whole value when it is a JWT.
    public struct Entry: Sendable, Equatable {
        /// `v1`, `v1a`, `jwt`, or what the entry's version prefix said.
        public var form: String
        /// What this entry matched, or why it cannot.
        public var finding: String
        /// Whether this entry alone verifies.
        public var matches: Bool
    }

    public var verdict: WebhookVerification
    /// `|now − webhook-timestamp|` in seconds, when the timestamp is an integer.
    public var timestampSkew: Int64?
    public var toleranceSeconds: Int64
    public var entries: [Entry]

    /// Verifies and explains one call. `keySet` is the source's JWKS (nil when none is at hand).
    public init(
        verifier: WebhookVerifier, id: String, timestamp: String, signatureHeader: String, body: [UInt8], now: Int64,
        keySet: JSONWebKeySet?, jwksConfigured: Bool
    ) {
        verdict = verifier.verify(
            id: id, timestamp: timestamp, signatureHeader: signatureHeader, body: body, now: now, keySet: keySet,
            jwksConfigured: jwksConfigured)
        toleranceSeconds = verifier.toleranceSeconds
        // The timestamp is the caller's text: any Int64, so the distance saturates.
        timestampSkew = WebhookVerifier.parseTimestamp(timestamp).map { stamp in
            let (skew, overflow) = now.subtractingReportingOverflow(stamp)
            return overflow ? .max : Int64(clamping: skew.magnitude)
        }
        let header = signatureHeader.trimmingCharacters(in: .whitespaces)
        if CompactJWT.looksLikeJWT(header[...]) {
            var entry = Self.explainJWT(header, verifier: verifier, keySet: keySet, now: now)
            entry.matches = verdict == .verified(.jwt)
            entries = [entry]
            return
        }
        let message = SignedContent.signedBytes(id: id, timestampText: timestamp, body: body)
        entries = header.split(separator: " ", omittingEmptySubsequences: true).enumerated().map { index, entry in
            guard index < WebhookVerifier.maxSignatureEntries else {
                return Entry(form: "-", finding: "beyond the first \(WebhookVerifier.maxSignatureEntries) entries: the whole header is refused", matches: false)
            }
            guard let comma = entry.firstIndex(of: ",") else {
                return Entry(form: "?", finding: "no 'version,' prefix: ignored", matches: false)
            }
            let version = String(entry[..<comma])
            guard let signature = SignatureBase64.decode(entry[entry.index(after: comma)...]) else {
                return Entry(form: version, finding: "not valid base64: ignored", matches: false)
            }
            switch version {
            case "v1":
                let code = { (secret: WebhookSecret) in secret.hmacKey.code(id: id, timestamp: timestamp, body: body) }
                if let index = verifier.hmacSecrets.firstIndex(where: { HMACSHA256Key.matches(code($0), signature) }) {
                    return Entry(form: "v1", finding: "HMAC-SHA256 matches secret \(index + 1) of verify.hmac.secrets", matches: true)
                }
                let count = verifier.hmacSecrets.count
                return Entry(
                    form: "v1",
                    finding: count == 0 ? "HMAC-SHA256, but this source has no verify.hmac.secrets"
                        : "HMAC-SHA256 matches none of the \(count) secret(s) of verify.hmac.secrets", matches: false)
            case "v1a":
                guard signature.count == 64 else {
                    return Entry(form: "v1a", finding: "Ed25519 signatures are 64 bytes, this one \(signature.count)", matches: false)
                }
                guard let keySet else {
                    return Entry(form: "v1a", finding: jwksConfigured ? "Ed25519: needs the source's JWKS, which is not at hand" : "Ed25519, but this source has no JWKS", matches: false)
                }
                if let key = keySet.ed25519Keys.first(where: { $0.isValidSignature(signature, for: message) }) {
                    return Entry(form: "v1a", finding: "Ed25519 verifies with JWKS key \(key.keyID ?? "(no kid)")", matches: true)
                }
                return Entry(form: "v1a", finding: "Ed25519 verifies with none of the JWKS's \(keySet.ed25519Keys.count) Ed25519 key(s)", matches: false)
            default:
                return Entry(form: version, finding: "unknown version: ignored (meant for other receivers)", matches: false)
            }
        }
    }

    private static func explainJWT(_ header: String, verifier: WebhookVerifier, keySet: JSONWebKeySet?, now: Int64) -> Entry {
        guard let token = CompactJWT(header[...]) else { return Entry(form: "jwt", finding: "malformed JWT", matches: false) }
        var notes = ["alg \(token.header.alg)", "kid \(token.header.kid ?? "none")"]
        if let claims = token.claims() {
            notes.append("aud \(claims.aud?.joined(separator: ",") ?? "none") (configured: \(verifier.audience ?? "none — JWTs are refused"))")
            notes.append(claims.exp.map { "exp in \(Self.seconds($0 - Double(now))) s" } ?? "no exp")
            if let iat = claims.iat { notes.append("iat \(Self.seconds(Double(now) - iat)) s ago") }
            if let nbf = claims.nbf { notes.append("nbf in \(Self.seconds(nbf - Double(now))) s") }
        } else {
            notes.append("claims are not a JSON object of the expected types")
        }
        if let keySet, let kid = token.header.kid, !keySet.keyIDs.contains(kid) {
            notes.append("the JWKS has no key \(kid) (it has \(keySet.keyIDs.joined(separator: ", ")))")
        }
        return Entry(form: "jwt", finding: notes.joined(separator: "; "), matches: false)
    }

    /// Whole seconds for a note; the claims are unverified JSON numbers, any size (`1e300`).
    private static func seconds(_ value: Double) -> String {
        guard value.isFinite, value.magnitude < 1e15 else { return value < 0 ? "less than -10^15" : "more than 10^15" }
        return String(Int64(value))
    }
}
