import Hummingbird
import SluiceCore
import SluiceRedis
import SluiceRuntime

/// `/healthz`, `/readyz` and `/metrics` on the worker's metrics port (docs/http.md): ready once Redis
/// answers, the consumer groups exist and Redis keeps what the worker writes (an AOF and no
/// eviction, as `redis.durability` asks; the same rule as the edge's), not ready while draining.
struct OperationsController: Sendable {
    let state: WorkerState
    let redis: RedisClient
    let exporter: PrometheusExporter

    func register(on router: Router<BasicRequestContext>) {
        OperationsRoutes.register(on: router, exporter: exporter) { [state, redis] in
            if state.isDraining { return "draining" }
            do {
                try await redis.ping()
            } catch {
                return "redis unreachable: \(error)"
            }
            guard state.areGroupsReady else { return "consumer groups not created yet" }
            return await Self.durabilityRefusal(redis: redis, required: state.current.routes.redisDurability)
        }
    }

    /// Why Redis does not keep what the worker writes (no AOF, or it may evict keys), as the edge
    /// judges it; nil when it does, when durability is `none`, or when Redis refuses `CONFIG`
    /// (the edge logs that case once). Under `replicated` the worker asks what `write` asks: its
    /// writes need no replica to be safe, since a failover to a replica that missed them only
    /// makes it route or deliver again.
    static func durabilityRefusal(redis: RedisClient, required: RedisDurability) async -> String? {
        guard required != .none, case .success(let settings) = await RedisPersistence.read(from: redis) else { return nil }
        return settings.refusal(for: required == .replicated ? .write : required)
    }
}
