import SluiceCore

/// One named fault-injection scenario: the gateway it starts, the traffic it sends and the fault
/// it injects while the traffic flows.
public struct Scenario: Sendable {
    /// The name `sluice-chaos run NAME` takes.
    public let name: String
    /// What the scenario does, one sentence (for `list` and the README).
    public let summary: String
    /// Redis's `appendfsync` (the AOF is always on).
    var appendFsync = "everysec"
    /// `redis.durability` in routes.yaml.
    var durability: RedisDurability = .write
    /// Whether Redis runs with a replica (another redis-server, `REPLICAOF` the first).
    var replica = false
    /// Whether Redis is a Redis Cluster (3 masters, 3 replicas) instead of one server.
    var cluster = false
    /// `redis.partitions` in routes.yaml.
    var partitions = 1
    /// Worker processes made but not started with the others: a fault starts them (workers joining).
    var standbyWorkers = 0
    /// Lost deliveries are this scenario's measured trade-off (reported, not a failure): a mode
    /// the documentation says can lose them under this fault.
    var lossIsTheTradeOff = false
    /// Receivers beyond the two healthy standard ones.
    var extraEndpoints: [ChaosEndpoint] = []
    /// `tolerance` of the source, in seconds.
    var toleranceSeconds = 300
    /// Whether the sender's clock is skewed to the tolerance edge (and some events past it).
    var skewedSender = false
    /// How long the traffic lasts, given the run's scale.
    var sendDuration: @Sendable (ChaosScale) -> Duration = { $0.short ? .seconds(6) : .seconds(30) }
    /// The fault, running while the traffic flows; it returns with every process running again.
    var fault: @Sendable (FaultContext) async throws -> Void = { _ in }
    /// A rate-limited endpoint's backlog, put on the stream at the start (not fanned out to).
    var backlog: ChaosBacklog?
    /// Expectations beyond "nothing lost" (e.g. that the fault was actually felt); returns failures.
    var check: @Sendable (ScenarioReport) -> [String] = { _ in [] }

    /// Every endpoint events fan out to.
    public var endpoints: [ChaosEndpoint] { ChaosEndpoint.standard + extraEndpoints }
}
