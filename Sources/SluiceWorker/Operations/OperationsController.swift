import Hummingbird
import SluiceRedis
import SluiceRuntime

/// `/healthz`, `/readyz` and `/metrics` on the worker's metrics port (docs/http.md): ready once Redis
/// answers and the consumer groups exist, not ready while draining.
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
            return state.areGroupsReady ? nil : "consumer groups not created yet"
        }
    }
}
