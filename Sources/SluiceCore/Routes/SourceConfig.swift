/// One ingress source (`POST /webhooks/{name}[/channel]`) and how its requests are verified.
public struct SourceConfig: Sendable {
    /// The source name from the `sources:` key.
    public var name: String
    /// Which sender conventions apply; decides the JWKS default.
    public var kind: SourceKind
    /// Standard Webhooks `v1` secrets; several while rotating. May be empty when a JWKS verifies.
    public var hmacSecrets: [WebhookSecret]
    /// Where `v1a` Ed25519 keys and JWT keys come from; nil when only HMAC verifies.
    public var jwks: JWKSConfig?
    /// The largest accepted `|now - webhook-timestamp|`.
    public var tolerance: Duration
    /// The largest accepted body, in bytes.
    public var maxBody: Int
    /// The most `max_body` may be: each body is buffered whole, copied to Redis and into every
    /// delivery, so 64 MiB is far beyond a webhook's and within what one edge buffers by default
    /// across connections.
    public static let largestMaxBody = 64 << 20
    /// How long a `webhook-id` is remembered for deduplication.
    public var dedupeWindow: Duration

    /// Creates a source; the defaults are those docs/routes.md lists.
    public init(
        name: String,
        kind: SourceKind = .gemini,
        hmacSecrets: [WebhookSecret] = [],
        jwks: JWKSConfig? = nil,
        tolerance: Duration = .seconds(300),
        maxBody: Int = 1 << 20,
        dedupeWindow: Duration = .seconds(72 * 3600)
    ) {
        self.name = name
        self.kind = kind
        self.hmacSecrets = hmacSecrets
        self.jwks = jwks
        self.tolerance = tolerance
        self.maxBody = maxBody
        self.dedupeWindow = dedupeWindow
    }
}
