import ServiceLifecycle
import SluiceRedis
import SluiceWorker

extension ProcessRuntime {
    func workerServices(options: WorkerServer.Options, onMetricsListening: @escaping @Sendable (Int) async -> Void) -> [any Service] {
        WorkerServer(
            options: options, routesSource: routesSource, routes: routes, routesBytes: routesBytes,
            store: WorkerStore(client: redis, blockingClient: blockingRedis, keyspace: keyspace),
            httpClient: httpClient, exporter: exporter, logger: logger,
            onMetricsListening: onMetricsListening
        ).services
    }
}
