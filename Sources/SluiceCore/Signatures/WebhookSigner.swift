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
        // Written into one buffer, and each HMAC fed the content piece by piece: a delivery is
        // signed on every attempt, and the content is as large as the body.
        var header: [UInt8] = []
        header.reserveCapacity((secrets.count + ed25519Keys.count) * 93)
        let timestamp = String(content.timestamp)
        for secret in secrets {
            if !header.isEmpty { header.append(UInt8(ascii: " ")) }
            header.append(contentsOf: "v1,".utf8)
            secret.hmacKey.code(id: content.id, timestamp: timestamp, body: content.body).withUnsafeBytes {
                SignatureBase64.append($0, to: &header)
            }
        }
        if !ed25519Keys.isEmpty {
            let message = content.signedBytes
            for key in ed25519Keys {
                if !header.isEmpty { header.append(UInt8(ascii: " ")) }
                header.append(contentsOf: "v1a,".utf8)
                key.signature(for: message).withUnsafeBytes { SignatureBase64.append($0, to: &header) }
            }
        }
        return String(decoding: header, as: UTF8.self)
    }
}
