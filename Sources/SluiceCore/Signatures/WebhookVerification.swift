/// How an inbound call was verified.
public enum VerificationMethod: String, Sendable, Equatable {
    /// A `v1` HMAC-SHA256 entry matched a configured secret.
    case hmac
    /// A `v1a` Ed25519 entry matched a key of the source's JWKS.
    case ed25519
    /// The header was a JWT signed by a key of the source's JWKS, with valid claims.
    case jwt
}

/// The outcome of ``WebhookVerifier/verify(id:timestamp:signatureHeader:body:now:keySet:jwksConfigured:)``.
public enum WebhookVerification: Sendable, Equatable {
    /// The call is authentic.
    case verified(VerificationMethod)
    /// The call is not authentic, or is malformed; answer 400 or 401 as the failure says.
    case rejected(VerificationFailure)
    /// Only the JWKS could verify this call (`v1a` entries or a JWT, and no `v1` entry matched), but
    /// no key set is at hand, or it lacks the token's `kid` or any Ed25519 key. The caller fetches
    /// (or refetches, as ``JWKSRefreshPolicy`` allows) and calls again, or answers 503 with `Retry-After`.
    case needsKeySet
}
