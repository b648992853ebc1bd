/// A key, secret or key set that could not be parsed.
///
/// Messages say what is wrong and how to fix it, and never contain the secret material itself.
public struct SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in words an operator can act on.
    public var message: String

    /// Creates an error with the given message; the message must not contain secret material.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension SignatureError {
    static func invalidSecret(_ why: String) -> SignatureError {
        SignatureError(message: "invalid webhook secret: \(why); expected \"whsec_\" followed by base64 of 24 to 64 random bytes (generate one with `sluice keygen`)")
    }

    static func invalidSigningKey(_ why: String) -> SignatureError {
        SignatureError(message: "invalid Ed25519 signing key: \(why); expected \"whsk_\" followed by base64 of the 32-byte seed (or 64-byte seed and public key), as printed by `sluice keygen --ed25519`")
    }

    static func invalidPublicKey(_ why: String) -> SignatureError {
        SignatureError(message: "invalid Ed25519 public key: \(why); expected \"whpk_\" followed by base64 of the 32-byte public key, as printed by `sluice keygen --ed25519`")
    }

    static func invalidKeySet(_ why: String) -> SignatureError {
        SignatureError(message: "invalid JWKS document: \(why); expected a JSON object with a \"keys\" array (RFC 7517)")
    }
}
