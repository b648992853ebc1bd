import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceDelivery
import SluiceEdge
import SluiceRedis
import SluiceRuntime

/// Builds and runs an edge: the shared path of `sluice edge` and `sluice dev`.
enum EdgeRuntime {
    static func parseRedisURL(_ text: String) throws -> RedisURL {
        do {
            return try RedisURL(text)
        } catch {
            throw ValidationError("--redis: \(error)")
        }
    }

    static func run(
        options: EdgeServer.Options,
        routesSource: RoutesFileSource,
        redisURL: RedisURL,
        logger: Logger,
        extraServices: [any Service] = [],
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let (routes, bytes) = try RoutesBootstrap.load(routesSource, logger: logger)
        let redis = RedisClient(url: redisURL, logger: logger)
        let httpClient = try HTTPClient()
        defer {
            redis.shutdown()
            httpClient.shutdown()
        }
        let edge = EdgeServer(
            options: options, routesSource: routesSource, routes: routes, routesBytes: bytes,
            redis: redis, httpClient: httpClient, exporter: PrometheusExporter(), logger: logger,
            onListening: onListening)
        let group = ServiceGroup(
            configuration: .init(
                services: (extraServices + edge.services).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
