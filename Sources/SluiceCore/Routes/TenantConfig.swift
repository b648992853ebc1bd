/// A tenant: the secrets that sign its deliveries and the endpoints that receive them.
public struct TenantConfig: Sendable {
    /// The tenant name from the `tenants:` key.
    public var name: String
    /// Every secret signs each delivery with a `v1,` entry (rotation overlap).
    public var signingSecrets: [WebhookSecret]
    /// Every key signs each delivery with a `v1a,` entry.
    public var ed25519Keys: [Ed25519SigningKey]
    /// The tenant's endpoints by name.
    public var endpoints: [String: EndpointConfig]

    /// Creates a tenant.
    public init(
        name: String,
        signingSecrets: [WebhookSecret],
        ed25519Keys: [Ed25519SigningKey] = [],
        endpoints: [String: EndpointConfig] = [:]
    ) {
        self.name = name
        self.signingSecrets = signingSecrets
        self.ed25519Keys = ed25519Keys
        self.endpoints = endpoints
    }
}
