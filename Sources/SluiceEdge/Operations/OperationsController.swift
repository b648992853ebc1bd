import Hummingbird
import SluiceRedis
import SluiceRuntime

/// `/healthz`, `/readyz` and `/metrics` on the edge's port: ready while Redis answers and gives the
/// configured durability, not ready from the moment draining starts.
struct OperationsController: Sendable {
    let state: EdgeState
    let gate: DurabilityGate
    let redis: RedisClient
    let exporter: PrometheusExporter

    func register(on router: Router<BasicRequestContext>) {
        OperationsRoutes.register(on: router, exporter: exporter) { [state, gate, redis] in
            if state.isDraining { return "draining" }
            do {
                try await redis.ping()
            } catch {
                return "redis unreachable: \(error)"
            }
            return gate.unmetReason.map { "redis durability: \($0)" }
        }
    }
}
