import Crypto
import Foundation

/// An Ed25519 public key as `whpk_` followed by base64 of its 32 bytes.
public struct Ed25519PublicKey: Sendable, Equatable, CustomStringConvertible {
    /// The prefix for encoded public keys.
    public static let prefix = "whpk_"

    let key: Curve25519.Signing.PublicKey

    init(key: Curve25519.Signing.PublicKey) {
        self.key = key
    }

    /// Parses `whpk_<base64>` (the bare base64 of 32 bytes is accepted too).
    public init(parsing text: String) throws(SignatureError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let encoded = trimmed.hasPrefix(Self.prefix) ? String(trimmed.dropFirst(Self.prefix.count)) : trimmed
        if trimmed.hasPrefix(Ed25519SigningKey.prefix) {
            throw .invalidPublicKey("it is a private key (whsk_): give the public key, whpk_, and keep the private one secret")
        }
        guard let bytes = SignatureBase64.decode(encoded) else { throw .invalidPublicKey("it is not valid base64") }
        try self.init(rawBytes: bytes)
    }

    /// Wraps the 32 raw public key bytes.
    public init(rawBytes: [UInt8]) throws(SignatureError) {
        guard rawBytes.count == 32 else { throw .invalidPublicKey("it decodes to \(rawBytes.count) bytes, not 32") }
        guard !Ed25519SmallOrder.contains(rawBytes) else {
            throw .invalidPublicKey("it is a point of small order, against which signatures prove nothing")
        }
        do {
            key = try Curve25519.Signing.PublicKey(rawRepresentation: rawBytes)
        } catch {
            throw .invalidPublicKey("the bytes are not an Ed25519 public key")
        }
    }

    /// The 32 raw public key bytes.
    public var rawBytes: [UInt8] { [UInt8](key.rawRepresentation) }

    /// The key as `whpk_<base64>`.
    public var encoded: String { Self.prefix + SignatureBase64.encode(key.rawRepresentation) }

    /// The key as a JWK (`{"kty":"OKP","crv":"Ed25519","x":…}`), ready to publish in a JWKS `keys` array.
    public func jsonWebKey(keyID: String? = nil) -> String {
        var fields = [#""kty":"OKP""#, #""crv":"Ed25519""#, #""x":"\#(SignatureBase64.encodeURL(key.rawRepresentation))""#]
        if let keyID {
            let escaped = keyID.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            fields.append(#""kid":"\#(escaped)""#)
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A public key is not secret; shows the encoded form.
    public var description: String { encoded }

    /// Equal when the raw key bytes are equal.
    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.key.rawRepresentation == rhs.key.rawRepresentation
    }
}
