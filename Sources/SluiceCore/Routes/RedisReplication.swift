/// How many replicas must hold a write before the edge answers `202`, under `redis.durability:
/// replicated` (`redis.replicas`, `redis.replica_timeout` in routes.yaml).
public struct RedisReplication: Sendable, Equatable {
    /// Replicas that must acknowledge each accepted event (`WAIT`'s count).
    public var replicas: Int
    /// The longest the edge waits for them before answering `503`.
    public var timeout: Duration

    public init(replicas: Int = 1, timeout: Duration = .seconds(1)) {
        self.replicas = replicas
        self.timeout = timeout
    }
}
