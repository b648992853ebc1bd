/// A validated routes.yaml: an immutable snapshot that edge and worker swap on reload.
public struct RoutesConfig: Sendable {
    /// The file format version; always 1.
    public var version: Int
    /// Prefix of every Redis key (`redis.prefix`).
    public var redisPrefix: String
    /// How many partitions events are spread over (`redis.partitions`, default 1): each one a
    /// full set of Sluice's streams under its own hash tag, so a Redis Cluster can place them
    /// on different masters.
    public var redisPartitions: Int
    /// What the edge requires of Redis before it answers 202 (`redis.durability`).
    public var redisDurability: RedisDurability
    /// The replicas `redis.durability: replicated` waits for (unused by the other modes).
    public var redisReplication: RedisReplication
    /// The outbound SSRF policy.
    public var network: NetworkPolicyConfig
    /// Ingress sources by name.
    public var sources: [String: SourceConfig]
    /// Tenants by name.
    public var tenants: [String: TenantConfig]
    /// Routes in file order (order matters for `final`).
    public var routes: [Route]
    /// Worker settings, with `visibility_timeout: auto` resolved.
    public var worker: WorkerConfig

    /// Creates a configuration from parts; `RoutesLoader` is the usual way to get one.
    public init(
        version: Int = 1,
        redisPrefix: String = "sluice",
        redisPartitions: Int = 1,
        redisDurability: RedisDurability = .write,
        redisReplication: RedisReplication = RedisReplication(),
        network: NetworkPolicyConfig = NetworkPolicyConfig(),
        sources: [String: SourceConfig] = [:],
        tenants: [String: TenantConfig] = [:],
        routes: [Route] = [],
        worker: WorkerConfig = WorkerConfig()
    ) {
        self.version = version
        self.redisPrefix = redisPrefix
        self.redisPartitions = redisPartitions
        self.redisDurability = redisDurability
        self.redisReplication = redisReplication
        self.network = network
        self.sources = sources
        self.tenants = tenants
        self.routes = routes
        self.worker = worker
    }

    /// The endpoint a reference names, or nil when the tenant or endpoint does not exist.
    public func endpoint(_ ref: EndpointRef) -> EndpointConfig? {
        tenants[ref.tenant]?.endpoints[ref.endpoint]
    }

    /// Every endpoint, ordered by tenant then name.
    public var allEndpoints: [EndpointConfig] {
        tenants.values.flatMap(\.endpoints.values).sorted { $0.ref < $1.ref }
    }

    /// The longest endpoint timeout, or the default 15 s when there are no endpoints.
    public var longestEndpointTimeout: Duration {
        allEndpoints.map(\.timeout).max() ?? .seconds(15)
    }
}
