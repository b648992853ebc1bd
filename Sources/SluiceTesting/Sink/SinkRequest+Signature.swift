import Foundation
import SluiceCore

extension SinkRequest {
    /// Whether its `webhook-signature` verifies with `secret` alone, as a tenant would check it.
    public func isSigned(with secret: String) -> Bool {
        guard let key = try? WebhookSecret(parsing: secret) else { return false }
        let verifier = WebhookVerifier(hmacSecrets: [key], toleranceSeconds: 300, audience: nil)
        let result = verifier.verify(
            id: header("webhook-id") ?? "", timestamp: header("webhook-timestamp") ?? "",
            signatureHeader: header("webhook-signature") ?? "", body: body,
            now: Int64(Date().timeIntervalSince1970), keySet: nil, jwksConfigured: false)
        return result == .verified(.hmac)
    }
}
