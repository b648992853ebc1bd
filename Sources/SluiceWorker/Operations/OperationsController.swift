import Hummingbird
import SluiceCore
import SluiceRedis
import SluiceRuntime

/// `/healthz`, `/readyz` and `/metrics` on the worker's metrics port (docs/http.md): ready once Redis
/// answers, the consumer groups exist and Redis keeps what the worker writes (an AOF and no
/// eviction, as `redis.durability` asks; the same rule as the edge's), not ready while draining.
struct OperationsController: Sendable {
    let state: WorkerState
    let stores: WorkerStores
    let exporter: PrometheusExporter

    func register(on router: Router<BasicRequestContext>) {
        OperationsRoutes.register(on: router, exporter: exporter) { [state, stores] in
            if state.isDraining { return "draining" }
            // Every partition's Redis (on a cluster, possibly several masters) must answer and keep writes.
            var seen = Set<ObjectIdentifier>()
            let clients = stores.all.map(\.client).filter { seen.insert(ObjectIdentifier($0)).inserted }
            for redis in clients {
                do {
                    try await redis.ping()
                } catch {
                    return "redis unreachable: \(error)"
                }
            }
            guard state.areGroupsReady else { return "consumer groups not created yet" }
            for redis in clients {
                if let refusal = await Self.durabilityRefusal(redis: redis, required: state.current.routes.redisDurability) {
                    return refusal
                }
            }
            return nil
        }
    }

    /// Why Redis does not keep what the worker writes (no AOF, or it may evict keys), as the edge
    /// judges it; nil when it does, when durability is `none`, or when Redis refuses `CONFIG`
    /// (the edge logs that case once). Under `replicated` the worker asks what `write` asks: its
    /// writes need no replica to be safe, since a failover to a replica that missed them only
    /// makes it route or deliver again.
    /// A Redis older than 7.0 is refused whatever the durability: the worker's scripts need it.
    static func durabilityRefusal(redis: RedisClient, required: RedisDurability) async -> String? {
        let read = await RedisPersistence.read(from: redis)
        if let tooOld = RedisPersistence.versionRefusal(of: read) { return tooOld }
        guard required != .none, case .success(let settings) = read else { return nil }
        return settings.refusal(for: required == .replicated ? .write : required)
    }
}
