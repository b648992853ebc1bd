import Crypto
import Foundation

/// An Ed25519 private key as `whsk_` followed by base64 of the 32-byte seed (or of the 64-byte seed‖public).
///
/// Signs `v1a` entries. Like ``WebhookSecret``, every textual form of the value is redacted.
public struct Ed25519SigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The prefix for encoded signing keys.
    public static let prefix = "whsk_"

    let key: Curve25519.Signing.PrivateKey

    /// Parses `whsk_<base64>`; the bare base64 is accepted too.
    ///
    /// A 64-byte value must end with the public key that the seed derives, which catches a pasted
    /// key pair whose halves do not belong together.
    public init(parsing text: String) throws(SignatureError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let encoded = trimmed.hasPrefix(Self.prefix) ? String(trimmed.dropFirst(Self.prefix.count)) : trimmed
        guard !encoded.isEmpty else { throw .invalidSigningKey("it is empty") }
        if trimmed.hasPrefix(Ed25519PublicKey.prefix) {
            throw .invalidSigningKey("it is a public key (whpk_): signing needs the private key, whsk_ (sluice keygen --ed25519 prints both)")
        }
        guard let bytes = SignatureBase64.decode(encoded) else { throw .invalidSigningKey("it is not valid base64") }
        switch bytes.count {
        case 32:
            try self.init(seed: bytes)
        case 64:
            try self.init(seed: Array(bytes[0..<32]))
            guard publicKey.rawBytes == Array(bytes[32..<64]) else {
                throw .invalidSigningKey("its last 32 bytes are not the public key of its first 32 bytes")
            }
        default:
            throw .invalidSigningKey("it decodes to \(bytes.count) bytes, not 32 or 64")
        }
    }

    /// Wraps a 32-byte Ed25519 seed.
    public init(seed: [UInt8]) throws(SignatureError) {
        guard seed.count == 32 else { throw .invalidSigningKey("the seed has \(seed.count) bytes, not 32") }
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw .invalidSigningKey("the seed was refused by the Ed25519 implementation")
        }
    }

    /// A new key whose seed comes from `generator` (pass a `SystemRandomNumberGenerator` outside tests).
    public static func generate<R: RandomNumberGenerator>(using generator: inout R) -> Ed25519SigningKey {
        let seed = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // 32 bytes is always a valid seed.
        return try! Ed25519SigningKey(seed: seed)
    }

    /// The matching public key (`whpk_…`), to publish in a JWKS or hand to receivers.
    public var publicKey: Ed25519PublicKey { Ed25519PublicKey(key: key.publicKey) }

    /// The key as `whsk_<base64 of the 32-byte seed>`; this is secret material.
    public var encoded: String { Self.prefix + SignatureBase64.encode(key.rawRepresentation) }

    /// Signs `message`, returning the 64-byte signature.
    func signature(for message: [UInt8]) -> [UInt8] {
        // Ed25519 signing only fails on allocation failure inside BoringSSL.
        [UInt8](try! key.signature(for: message))
    }

    /// Redacted: never shows the key.
    public var description: String { "whsk_…(redacted)" }
    /// Redacted: never shows the key.
    public var debugDescription: String { description }
    /// Redacted: `dump` shows no key bytes.
    public var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .struct) }
}
