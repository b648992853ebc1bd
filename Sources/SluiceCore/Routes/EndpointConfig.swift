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

    /// Creates an endpoint; defaults follow SPEC §3.
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

/// A static request header of an endpoint.
public struct EndpointHeader: Sendable, Equatable {
    /// The header name as written.
    public var name: String
    /// The header value; may contain an expanded `${env:…}` secret, so never log it.
    public var value: String

    /// Creates a header.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// `N/period`: at most `count` requests per `period`, as a token bucket.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    /// Requests allowed per period (also the bucket size).
    public var count: Int
    /// The refill period.
    public var period: Duration

    /// Creates a limit of `count` requests per `period`.
    public init(count: Int, period: Duration) {
        self.count = count
        self.period = period
    }

    /// Tokens added per second.
    public var perSecond: Double {
        let components = period.components
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return Double(count) / seconds
    }

    /// `50/1s`-style text.
    public var description: String { "\(count)/\(RoutesScalarParser.format(period))" }
}

/// The `retry:` block of an endpoint.
public struct RetryConfig: Sendable, Equatable {
    /// The default schedule: about 28 h in all, beyond Gemini's own 24 h of retries.
    public static let defaultSchedule: [Duration] = [
        .seconds(0), .seconds(5), .seconds(300), .seconds(1800),
        .seconds(7200), .seconds(18000), .seconds(36000), .seconds(36000),
    ]

    /// `schedule[i]` is the delay before attempt `i + 1`; there are `schedule.count` attempts.
    public var schedule: [Duration]
    /// Each delay is spread by ± this fraction (0.2 for `20%`), in 0...1.
    public var jitter: Double

    /// Creates a retry configuration; defaults follow SPEC §3.
    public init(schedule: [Duration] = RetryConfig.defaultSchedule, jitter: Double = 0.2) {
        self.schedule = schedule
        self.jitter = jitter
    }
}

/// The `tls:` block of an endpoint; empty strings in the file mean nil.
public struct TLSConfig: Sendable, Equatable {
    /// PEM file of CA certificates to trust instead of the system store.
    public var caFile: String?
    /// PEM client certificate for mTLS.
    public var clientCertFile: String?
    /// PEM private key of the client certificate.
    public var clientKeyFile: String?

    /// Creates a TLS configuration.
    public init(caFile: String? = nil, clientCertFile: String? = nil, clientKeyFile: String? = nil) {
        self.caFile = caFile
        self.clientCertFile = clientCertFile
        self.clientKeyFile = clientKeyFile
    }
}

/// The `circuit_breaker:` block of an endpoint.
public struct CircuitBreakerConfig: Sendable, Equatable {
    /// Consecutive failures that open the circuit.
    public var failures: Int
    /// How long the circuit stays open before one probe is let through.
    public var cooldown: Duration

    /// Creates a circuit breaker configuration (defaults: 20 failures, 30 s).
    public init(failures: Int = 20, cooldown: Duration = .seconds(30)) {
        self.failures = failures
        self.cooldown = cooldown
    }
}
