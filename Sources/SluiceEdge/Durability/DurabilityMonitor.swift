import Logging
import ServiceLifecycle
import SluiceCore
import SluiceRedis

/// Re-checks Redis's persistence and eviction settings with `CONFIG GET` (unless
/// `redis.durability` is `none`).
///
/// Redis 7.0 has no `WAITAOF`, so the edge cannot confirm that one write reached the disk; what
/// it can confirm is how Redis is configured: `appendonly yes` for `write` (and `appendfsync
/// always` for `fsync`), and no eviction. The check repeats every `interval` because an operator
/// can change the settings at runtime, a restarted Redis can come back with another
/// configuration, and a reload can switch the requirement. Between two checks a change goes
/// unnoticed for at most `interval`.
///
/// Where `CONFIG` is refused (managed Redis services often rename or forbid it), `write` is
/// accepted with one warning in the log — the operator must then guarantee persistence and
/// `noeviction` — while `fsync`, which promises an fsync per event, refuses; `replicated` still
/// counts the replicas online.
///
/// On a Redis Cluster each partition's keys live on the master of its own slot, so every
/// partition the edge writes to, or will once the installation's record allows, is checked on
/// its master: one master without the durability refuses every call, as one Redis would. A
/// partition's master that cannot be reached is left to its own calls, which fail with 503.
struct DurabilityMonitor: Service {
    let state: EdgeState
    let gate: DurabilityGate
    let redis: RedisClient
    let interval: Duration
    let logger: Logger
    /// Called each time Redis answered the check, before the gate opens: the ingest connections
    /// may still be backing off after the outage, failing calls with its last error.
    var onReachable: @Sendable () -> Void = {}
    /// Where the edge writes; on a Redis Cluster, the partitions whose masters are checked too.
    var partitions: IngressPartitions?

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var masters: [Int: RedisClient] = [:]
            defer { for client in masters.values { client.shutdown() } }
            // The partitions whose Redis was last seen refusing CONFIG GET: warned once each.
            var warnedConfig: Set<Int> = []
            while !Task.isCancelled {
                await check(warnedConfig: &warnedConfig, masters: &masters)
                try await Task.sleep(for: interval)
            }
        }
    }

    private func check(warnedConfig: inout Set<Int>, masters: inout [Int: RedisClient]) async {
        let routes = state.current.routes
        let required = routes.redisDurability
        let read = await RedisPersistence.read(from: redis)
        let reachable: Bool
        if case .failure(.unreachable) = read { reachable = false } else { reachable = true }
        if reachable { onReachable() }
        // Whatever the durability asked: the worker's scripts need Redis 7.
        var reason = RedisPersistence.versionRefusal(of: read) ?? refusal(read, partition: 0, routes: routes, warnedConfig: &warnedConfig)
        if reason == nil, required != .none, let partitions, redis.url.isCluster {
            for index in 1..<max(1, partitions.count, routes.redisPartitions) {
                let master = masters[index] ?? RedisClient(
                    url: redis.url.tagged(Keyspace(prefix: partitions.prefix, partition: index).tag), logger: logger,
                    commandTimeout: .seconds(5))
                masters[index] = master
                let read = await RedisPersistence.read(from: master)
                if case .failure(.unreachable) = read { continue }
                if let refusal = RedisPersistence.versionRefusal(of: read)
                    ?? refusal(read, partition: index, routes: routes, warnedConfig: &warnedConfig)
                {
                    reason = "partition \(index)'s master: \(refusal)"
                    break
                }
            }
        }
        guard gate.update(reason, reachable: reachable) else { return }
        if let reason {
            if !reachable {
                logger.error("not accepting events: Redis is unreachable", metadata: ["reason": "\(reason)"])
            } else {
                logger.error("not accepting events: Redis does not give the configured durability", metadata: ["reason": "\(reason)"])
            }
        } else {
            logger.notice("Redis gives the configured durability; accepting events", metadata: ["durability": "\(required.rawValue)"])
        }
    }

    /// Why `read` (the settings of `partition`'s Redis) does not give the durability `routes` ask
    /// for; nil when it does.
    private func refusal(
        _ read: Result<RedisPersistence, RedisPersistence.ReadFailure>, partition: Int, routes: RoutesConfig, warnedConfig: inout Set<Int>
    ) -> String? {
        let required = routes.redisDurability
        var reason: String?
        switch read {
        case _ where required == .none:
            reason = nil
        case .success(let settings):
            warnedConfig.remove(partition)
            reason = settings.refusal(for: required, replication: routes.redisReplication)
        case .failure(.unreachable(let message)):
            reason = "cannot check Redis's persistence settings: \(message)"
        case .failure(.configRefused(let message, let replicasOnline, _)):
            if required == .fsync {
                reason = "redis.durability is fsync but this Redis refuses CONFIG GET (\(message)), so appendfsync cannot be confirmed; allow CONFIG GET for sluice's user, or use durability: write if your provider fsyncs every write"
            } else {
                // The AOF and eviction are the operator's to guarantee (warned below); replicas are
                // still counted where INFO answers. Where it does not either, each call's WAIT
                // still refuses what no replica confirmed.
                reason = required == .replicated
                    ? replicasOnline.flatMap { online in
                        RedisDurability.refusal(
                            required: .replicated, appendOnly: "yes", appendFsync: nil, replicasOnline: online,
                            replicasRequired: routes.redisReplication.replicas)
                    }
                    : nil
                if warnedConfig.insert(partition).inserted {
                    logger.warning(
                        "this Redis refuses CONFIG GET, so sluice cannot check that it persists what it accepts; make sure it runs with appendonly yes (or your provider's equivalent) and maxmemory-policy noeviction",
                        metadata: partition == 0 ? ["error": "\(message)"] : ["error": "\(message)", "partition": "\(partition)"])
                }
            }
        }
        return reason
    }
}
