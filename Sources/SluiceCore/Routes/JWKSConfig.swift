/// The `verify.jwks:` block of a source.
public struct JWKSConfig: Sendable, Equatable {
    /// Google's JWKS for Gemini webhooks, the default for `kind: gemini`.
    public static let geminiDefaultURL = "https://generativelanguage.googleapis.com/.well-known/jwks.json"

    /// Where the key set is fetched from (http or https).
    public var url: String
    /// The JWT `aud` to require; nil when not checked.
    public var audience: String?

    /// Creates a JWKS configuration.
    public init(url: String, audience: String? = nil) {
        self.url = url
        self.audience = audience
    }
}
