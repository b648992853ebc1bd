import Hummingbird
import SluiceRedis
import SluiceRuntime

/// `/healthz`, `/readyz` and `/metrics` on the edge's port: ready while Redis answers, not
/// ready from the moment draining starts.
struct OperationsController: Sendable {
    let state: EdgeState
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
            return nil
        }
    }
}
