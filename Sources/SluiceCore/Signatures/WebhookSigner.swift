import Crypto

/// Produces `webhook-signature` header values for outbound deliveries.
public enum WebhookSigner {
    /// One `v1,<base64 HMAC-SHA256>` entry per secret, then one `v1a,<base64 Ed25519>` entry per key,
    /// separated by single spaces, all over `{id}.{timestamp}.{body}`.
    public static func signatureHeader(
        for content: SignedContent,
        secrets: [WebhookSecret],
        ed25519Keys: [Ed25519SigningKey] = []
    ) -> String {
        let message = content.signedBytes
        var entries: [String] = []
        entries.reserveCapacity(secrets.count + ed25519Keys.count)
        for secret in secrets {
            entries.append("v1," + SignatureBase64.encode(hmac(message, secret: secret)))
        }
        for key in ed25519Keys {
            entries.append("v1a," + SignatureBase64.encode(key.signature(for: message)))
        }
        return entries.joined(separator: " ")
    }

    static func hmac(_ message: [UInt8], secret: WebhookSecret) -> [UInt8] {
        [UInt8](secret.hmacKey.code { hash in message.withUnsafeBytes { hash.update(bufferPointer: $0) } })
    }
}
