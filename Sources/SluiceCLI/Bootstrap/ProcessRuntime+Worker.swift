import ServiceLifecycle
import SluiceRedis
import SluiceWorker

extension ProcessRuntime {
    func workerServer(options: WorkerServer.Options, onMetricsListening: @escaping @Sendable (Int) async -> Void) -> WorkerServer {
        let stores = WorkerStores(url: redis.url, prefix: routes.config.redisPrefix, count: routes.config.redisPartitions, logger: logger)
        workerStores.withLock { $0 = stores }
        return WorkerServer(
            options: options, routesSource: routesSource, routes: routes, routesBytes: routesBytes,
            stores: stores,
            httpClient: httpClient, exporter: exporter, logger: logger,
            onMetricsListening: onMetricsListening
        )
    }
}
