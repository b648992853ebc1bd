/// Why an inbound call was refused.
///
/// `reason` is a stable snake_case code for the response body and metrics; `message` is for humans.
/// Neither ever names the key that was tried or how close a signature came.
public struct VerificationFailure: Sendable, Equatable, Error, CustomStringConvertible {
    /// A stable code: `missing_webhook_id`, `missing_signature`, `invalid_timestamp`,
    /// `timestamp_out_of_tolerance`, `malformed_signature`, `too_many_signatures`, `signature_mismatch`, `malformed_token`,
    /// `unsupported_algorithm`, `jwks_not_configured`, `token_expired`, `token_not_yet_valid`,
    /// `audience_not_configured`, `missing_exp`, `token_too_old`, `audience_mismatch`, `token_mismatch`.
    public var reason: String
    /// A sentence for the response body and logs.
    public var message: String
    /// True when the request itself is malformed (missing id or signature, non-integer timestamp):
    /// the edge answers 400. Otherwise 401.
    public var isBadRequest: Bool
    /// True when a JWKS key rejected the signature: the sender may have rotated its keys, so the
    /// caller may refetch the JWKS (at most as often as ``JWKSRefreshPolicy`` allows) and verify again.
    public var keySetMayBeStale: Bool

    /// Creates a failure.
    public init(reason: String, message: String, isBadRequest: Bool = false, keySetMayBeStale: Bool = false) {
        self.reason = reason
        self.message = message
        self.isBadRequest = isBadRequest
        self.keySetMayBeStale = keySetMayBeStale
    }

    /// `reason: message`.
    public var description: String { "\(reason): \(message)" }
}

extension VerificationFailure {
    /// Keys are at hand and current, yet none has the request's key id: a forgery or a retired
    /// key (the edge's answer once a fresh JWKS lacks it too).
    public static let unknownKey = VerificationFailure(
        reason: "unknown_key",
        message: "none of the source's JWKS keys can check this signature (the JWT's kid is not in the key set, or it has no Ed25519 key for a v1a entry)")
    static let missingID = VerificationFailure(
        reason: "missing_webhook_id", message: "the webhook-id header is missing or empty", isBadRequest: true)
    static let missingSignature = VerificationFailure(
        reason: "missing_signature", message: "the webhook-signature header is missing or empty", isBadRequest: true)
    static let invalidTimestamp = VerificationFailure(
        reason: "invalid_timestamp", message: "the webhook-timestamp header must be an integer number of unix seconds",
        isBadRequest: true)
    static let timestampOutOfTolerance = VerificationFailure(
        reason: "timestamp_out_of_tolerance", message: "the webhook-timestamp is too far from the current time")
    static let malformedSignature = VerificationFailure(
        reason: "malformed_signature",
        message: "the webhook-signature header holds no entry of a known version (v1, v1a) with valid base64, and is not a JWT")
    static let tooManySignatures = VerificationFailure(
        reason: "too_many_signatures",
        message: "the webhook-signature header carries more than \(WebhookVerifier.maxSignatureEntries) entries", isBadRequest: true)
    static let signatureMismatch = VerificationFailure(
        reason: "signature_mismatch", message: "no signature matches any configured key")
    static let keySetSignatureMismatch = VerificationFailure(
        reason: "signature_mismatch", message: "no signature matches any configured key", keySetMayBeStale: true)
    static let malformedToken = VerificationFailure(
        reason: "malformed_token", message: "the JWT in webhook-signature is malformed")
    static let unsupportedAlgorithm = VerificationFailure(
        reason: "unsupported_algorithm", message: "the JWT's alg is not one of RS256, ES256, EdDSA")
    static let jwksNotConfigured = VerificationFailure(
        reason: "jwks_not_configured", message: "this source has no JWKS, so it cannot verify v1a signatures or JWTs")
    static let tokenExpired = VerificationFailure(
        reason: "token_expired", message: "the JWT has expired (exp)")
    static let tokenNotYetValid = VerificationFailure(
        reason: "token_not_yet_valid", message: "the JWT is not valid yet (nbf)")
    static let audienceNotConfigured = VerificationFailure(
        reason: "audience_not_configured",
        message: "this source accepts JWTs only with verify.jwks.audience set (the aud its webhooks are registered with); send v1 or v1a signatures, or configure the audience")
    static let missingExpiry = VerificationFailure(
        reason: "missing_exp", message: "the JWT carries no exp claim; tokens that never expire are refused")
    static let tokenTooOld = VerificationFailure(
        reason: "token_too_old", message: "the JWT was issued (iat) longer ago than the source's timestamp tolerance")
    static let audienceMismatch = VerificationFailure(
        reason: "audience_mismatch", message: "the JWT's aud does not name this gateway's configured audience")
    static let tokenMismatch = VerificationFailure(
        reason: "token_mismatch", message: "the JWT's webhook id or body digest does not match this request")
}
