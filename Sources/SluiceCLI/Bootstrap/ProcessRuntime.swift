import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceDelivery
import SluiceEdge
import SluiceRedis
import SluiceRuntime
import Synchronization

/// The shared clients and configuration of one `sluice` process, and the edge/worker built on them.
final class ProcessRuntime: Sendable {
    let routesSource: RoutesFileSource
    let routes: LoadedRoutes
    let routesBytes: [UInt8]
    let redis: RedisClient
    /// The worker's per-partition stores, made by `workerServer` (an edge needs none).
    let workerStores = Mutex<WorkerStores?>(nil)
    let httpClient: HTTPClient
    let exporter = PrometheusExporter()
    let logger: Logger

    /// Loads routes.yaml (exit 2 when invalid) and opens the Redis and HTTP clients.
    init(routesSource: RoutesFileSource, redisURL: RedisURL, logger: Logger) throws {
        (routes, routesBytes) = try RoutesBootstrap.load(routesSource, logger: logger)
        self.routesSource = routesSource
        self.logger = logger
        var redisURL = redisURL
        // On a Redis Cluster every key is `{prefix}:…`: connections go to the master of that slot.
        redisURL.clusterTag = routes.config.redisPrefix
        // Checks and occasional commands; the edge's ingest and the worker have connections of their own.
        redis = RedisClient(url: redisURL, logger: logger.forRedisConnection("commands"))
        httpClient = try HTTPClient()
    }

    static func parseRedisURL(_ text: String) throws -> RedisURL {
        do {
            return try RedisURL(text)
        } catch {
            throw ValidationError("--redis: \(error)")
        }
    }

    var keyspace: Keyspace { Keyspace(prefix: routes.config.redisPrefix) }

    func edgeServer(options: EdgeServer.Options, onListening: @escaping @Sendable (Int) async -> Void) -> EdgeServer {
        EdgeServer(
            options: options, routesSource: routesSource, routes: routes, routesBytes: routesBytes,
            redis: redis, httpClient: httpClient, exporter: exporter, logger: logger,
            onListening: onListening
        )
    }

    func shutdown() {
        redis.shutdown()
        workerStores.withLock { $0?.shutdown() }
        httpClient.shutdown()
    }
}
