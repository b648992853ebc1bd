import Crypto
import Foundation

/// Verifies inbound Standard Webhooks calls (docs/http.md): `v1` HMAC entries, `v1a` Ed25519 entries
/// checked against the source's JWKS, or a compact JWT as the whole `webhook-signature` value.
///
/// Pure: the current time and the cached key set are parameters; the caller owns fetching and caching.
public struct WebhookVerifier: Sendable {
    /// The source's HMAC secrets; several while rotating.
    public var hmacSecrets: [WebhookSecret]
    /// The largest accepted `|now − webhook-timestamp|`, in seconds.
    public var toleranceSeconds: Int64
    /// The `aud` a JWT must carry; nil (or empty at init) means no JWT is accepted.
    public var audience: String?
    /// Clock skew allowed on a JWT's `exp` and `nbf`, in seconds (default 30), on top of the
    /// timestamp tolerance that applies to every call.
    public var jwtLeewaySeconds: Int64

    /// Signature entries one `webhook-signature` header may carry. Standard Webhooks senders send
    /// one per active secret or key (two or three while rotating); each `v1a` entry is checked
    /// against every Ed25519 key of the JWKS, so without a cap an unauthenticated caller could buy
    /// tens of milliseconds of CPU with one header.
    public static let maxSignatureEntries = 8

    /// Ed25519 checks one call may cost beyond its first `v1a` entry, which is always checked
    /// against every key of the JWKS (a valid signature may be under any of them). Entries after
    /// it are checked while the total stays within this: all eight against a JWKS of four keys,
    /// only the first against one of 700 — where eight unauthenticated entries cost 5,600 checks
    /// (two seconds of the edge's event loop in a debug build) before.
    public static let ed25519CheckBudget = 32

    /// Creates a verifier for one source.
    public init(hmacSecrets: [WebhookSecret], toleranceSeconds: Int64, audience: String?, jwtLeewaySeconds: Int64 = 30) {
        self.hmacSecrets = hmacSecrets
        self.toleranceSeconds = toleranceSeconds
        self.audience = (audience?.isEmpty ?? true) ? nil : audience
        self.jwtLeewaySeconds = jwtLeewaySeconds
    }

    /// Verifies one inbound call.
    ///
    /// - Parameters:
    ///   - id, timestamp, signatureHeader: the `webhook-*` header values as received (pass "" when absent).
    ///   - body: the raw body.
    ///   - now: the current time, unix seconds.
    ///   - keySet: the source's cached JWKS (nil when none is configured or none could be fetched).
    ///   - jwksConfigured: whether the source has a JWKS at all.
    public func verify(
        id: String,
        timestamp: String,
        signatureHeader: String,
        body: [UInt8],
        now: Int64,
        keySet: JSONWebKeySet?,
        jwksConfigured: Bool
    ) -> WebhookVerification {
        // Malformed requests (400) are told apart before anything is checked cryptographically.
        guard !id.isEmpty else { return .rejected(.missingID) }
        guard let sentAt = Self.parseTimestamp(timestamp) else { return .rejected(.invalidTimestamp) }
        // Pure Swift trimming: Foundation's bridges through NSString, which shows in the ingest profile.
        let header = Self.trimmingSpaces(signatureHeader)
        guard !header.isEmpty else { return .rejected(.missingSignature) }

        // Replays outside the window are refused before any signature work.
        let (skew, overflow) = now.subtractingReportingOverflow(sentAt)
        guard !overflow, skew.magnitude <= toleranceSeconds.magnitude else {
            return .rejected(.timestampOutOfTolerance)
        }

        if CompactJWT.looksLikeJWT(header[...]) {
            return verifyJWT(header[...], id: id, body: body, now: now, keySet: keySet, jwksConfigured: jwksConfigured)
        }

        var hmacSignatures: [[UInt8]] = []
        var ed25519Signatures: [[UInt8]] = []
        // Split as bytes: splitting a String by Character runs grapheme breaking over the whole
        // header, which was a third of the verifier's time at ingest.
        let entries = header.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // Counted before any entry is decoded, let alone checked.
        guard entries.count <= Self.maxSignatureEntries else { return .rejected(.tooManySignatures) }
        for entry in entries {
            guard let comma = entry.firstIndex(of: UInt8(ascii: ",")) else { continue }
            let version = entry[..<comma]
            guard let signature = SignatureBase64.decode(bytes: entry[entry.index(after: comma)...]) else { continue }
            if version.elementsEqual("v1".utf8) {
                hmacSignatures.append(signature)
            } else if version.elementsEqual("v1a".utf8) {
                ed25519Signatures.append(signature)
            }
            // Unknown versions are for other receivers; ignore them.
        }
        guard !hmacSignatures.isEmpty || !ed25519Signatures.isEmpty else { return .rejected(.malformedSignature) }

        if !hmacSignatures.isEmpty, verifyHMAC(hmacSignatures, id: id, timestamp: timestamp, body: body) {
            return .verified(.hmac)
        }
        guard !ed25519Signatures.isEmpty else { return .rejected(.signatureMismatch) }
        guard jwksConfigured else { return .rejected(hmacSignatures.isEmpty ? .jwksNotConfigured : .signatureMismatch) }
        guard let keySet else { return .needsKeySet }
        let keys = keySet.ed25519Keys
        guard !keys.isEmpty else { return .needsKeySet }
        let message = SignedContent.signedBytes(id: id, timestampText: timestamp, body: body)
        var checks = 0
        for signature in ed25519Signatures where signature.count == 64 {
            guard checks == 0 || checks + keys.count <= Self.ed25519CheckBudget else { break }
            checks += keys.count
            for key in keys where key.isValidSignature(signature, for: message) {
                return .verified(.ed25519)
            }
        }
        return .rejected(.keySetSignatureMismatch)
    }

    /// Every secret against every `v1` entry, compared in constant time.
    private func verifyHMAC(_ signatures: [[UInt8]], id: String, timestamp: String, body: [UInt8]) -> Bool {
        var matched = false
        for secret in hmacSecrets {
            let code = secret.hmacKey.code(id: id, timestamp: timestamp, body: body)
            for signature in signatures where HMACSHA256Key.matches(code, signature) {
                // No early exit: the time taken does not depend on which secret matched.
                matched = true
            }
        }
        return matched
    }

    private static func trimmingSpaces(_ text: String) -> Substring {
        func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, isSpace(utf8[start]) { utf8.formIndex(after: &start) }
        while start < end, isSpace(utf8[utf8.index(before: end)]) { utf8.formIndex(before: &end) }
        // ASCII bytes: both ends fall on character boundaries.
        return text[start..<end]
    }

    /// An optionally signed run of ASCII digits; `Int64.init` alone would also accept a leading `+`.
    public static func parseTimestamp(_ text: String) -> Int64? {
        let digits = text.hasPrefix("-") ? text.utf8.dropFirst() : text.utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        // Int64.min has no positive twin: refused like any value beyond ±(2^63 - 1).
        return Int64(text).flatMap { $0 == .min ? nil : $0 }
    }
}
