/// One tenant endpoint: where deliveries go and how they are paced, retried and secured.
public struct EndpointConfig: Sendable, Equatable {
    /// The owning tenant's name.
    public var tenant: String
    /// The endpoint's name within the tenant.
    public var name: String
    /// The http(s) URL deliveries are POSTed to.
    public var url: String
    /// How long one attempt may take before it counts as failed.
    public var timeout: Duration
    /// Concurrent requests to this endpoint per worker process.
    public var maxInFlight: Int
    /// Shared token bucket across workers; nil when unlimited.
    public var rateLimit: RateLimit?
    /// The attempt schedule.
    public var retry: RetryConfig
    /// Static headers added to every request, in file order. Values may hold expanded secrets.
    public var headers: [EndpointHeader]
    /// Custom CA and client certificate (mTLS) files.
    public var tls: TLSConfig
    /// When the endpoint's circuit opens and how long it stays open.
    public var circuitBreaker: CircuitBreakerConfig

    /// Creates an endpoint; the defaults are those docs/routes.md lists.
    public init(
        tenant: String,
        name: String,
        url: String,
        timeout: Duration = .seconds(15),
        maxInFlight: Int = 16,
        rateLimit: RateLimit? = nil,
        retry: RetryConfig = RetryConfig(),
        headers: [EndpointHeader] = [],
        tls: TLSConfig = TLSConfig(),
        circuitBreaker: CircuitBreakerConfig = CircuitBreakerConfig()
    ) {
        self.tenant = tenant
        self.name = name
        self.url = url
        self.timeout = timeout
        self.maxInFlight = maxInFlight
        self.rateLimit = rateLimit
        self.retry = retry
        self.headers = headers
        self.tls = tls
        self.circuitBreaker = circuitBreaker
    }

    /// `tenant/name` as a reference.
    public var ref: EndpointRef { EndpointRef(tenant: tenant, endpoint: name) }
}
