import Crypto
import Foundation

/// A Standard Webhooks HMAC secret: `whsec_` followed by base64 of 24 to 64 random bytes.
///
/// The HMAC key is the decoded bytes. `description`, `debugDescription` and reflection are redacted,
/// so a secret printed by accident never reaches a log.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The prefix Standard Webhooks uses for HMAC secrets.
    public static let prefix = "whsec_"
    /// Fewer bytes than this is too weak to sign with.
    public static let minimumByteCount = 24
    /// More bytes than this is not a Standard Webhooks secret.
    public static let maximumByteCount = 64

    /// The decoded key bytes.
    public let keyBytes: [UInt8]
    /// HMAC-SHA256 with this key already absorbed (both padded key blocks hashed): a copy signs a
    /// message without redoing that per attempt. Only the key is cached, never a signature, as
    /// every attempt signs a fresh timestamp.
    let hmacKey: HMACSHA256Key

    /// Parses `whsec_<base64>`; the bare base64 is accepted too, as Standard Webhooks libraries do.
    public init(parsing text: String) throws(SignatureError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let encoded = trimmed.hasPrefix(Self.prefix) ? String(trimmed.dropFirst(Self.prefix.count)) : trimmed
        guard !encoded.isEmpty else { throw .invalidSecret("it is empty") }
        guard let bytes = SignatureBase64.decode(encoded) else { throw .invalidSecret("it is not valid base64") }
        try self.init(keyBytes: bytes)
    }

    /// Wraps raw key bytes, checking their length.
    public init(keyBytes: [UInt8]) throws(SignatureError) {
        guard keyBytes.count >= Self.minimumByteCount else {
            throw .invalidSecret("it decodes to \(keyBytes.count) bytes, fewer than the minimum \(Self.minimumByteCount)")
        }
        guard keyBytes.count <= Self.maximumByteCount else {
            throw .invalidSecret("it decodes to \(keyBytes.count) bytes, more than the maximum \(Self.maximumByteCount)")
        }
        self.keyBytes = keyBytes
        self.hmacKey = HMACSHA256Key(key: keyBytes)
    }

    /// Secrets are equal when their keys are (the keyed HMAC state is derived from the key).
    public static func == (lhs: WebhookSecret, rhs: WebhookSecret) -> Bool {
        lhs.keyBytes == rhs.keyBytes
    }

    /// A new random secret of `byteCount` bytes (clamped to 24...64).
    public static func generate<R: RandomNumberGenerator>(using generator: inout R, byteCount: Int = 32) -> WebhookSecret {
        let count = min(max(byteCount, minimumByteCount), maximumByteCount)
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // The length is clamped above, so this cannot fail.
        return try! WebhookSecret(keyBytes: bytes)
    }

    /// The secret as `whsec_<base64>`; this is secret material.
    public var encoded: String { Self.prefix + SignatureBase64.encode(keyBytes) }

    /// Redacted: never shows the key.
    public var description: String { "whsec_…(redacted)" }
    /// Redacted: never shows the key.
    public var debugDescription: String { description }
    /// Redacted: `dump` and `print(reflecting:)` show no key bytes.
    public var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .struct) }
}
