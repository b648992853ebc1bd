import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceRuntime

/// The `sluice edge` process: the HTTP ingress and the services that keep it current.
///
/// Add `services` to a `ServiceGroup`; they drain gracefully on SIGTERM.
public struct EdgeServer: Sendable {
    /// Where and how the edge listens.
    public struct Options: Sendable {
        public var host: String
        public var port: Int
        /// How long `/readyz` fails before the listener closes on SIGTERM.
        public var drainDelay: Duration
        /// How often routes.yaml is re-read.
        public var reloadInterval: Duration
        /// Whether the edge runs its own routes reloader. `sluice dev` turns it off and runs one
        /// reloader for the edge and the worker together (``EdgeServer/applyRoutes``), so that an
        /// edit is applied, logged and counted once.
        public var reloadsRoutes: Bool
        /// Idle keep-alive connections are closed after this long.
        public var idleTimeout: Duration
        /// How often Redis's persistence settings are re-checked when `redis.durability` is `fsync`.
        public var durabilityCheckInterval: Duration
        /// SwiftNIO event loop threads for HTTP and the ingest writes to Redis (each loop has its
        /// own Redis connection). One by default, not NIO's one per core: Redis itself usually
        /// runs on the same machine, and on 2 cores a second loop thread mostly adds hand-offs
        /// (measured ~10% more CPU per request). Raise it on larger machines.
        public var eventLoopThreads: Int
        /// How long an event's write may wait for Redis's reply before the call is answered 503
        /// and the connection replaced, so a stalled Redis never holds senders indefinitely.
        public var redisCommandTimeout: Duration
        /// While Redis is unreachable, the ingest connections try to connect again after this
        /// long, doubling after each failure up to `redisMaximumBackoff`; once the durability check
        /// sees Redis answer they try at once.
        public var redisReconnectBackoff: Duration
        public var redisMaximumBackoff: Duration
        /// Connections, request time and buffered bytes the clients may hold.
        public var limits: EdgeConnectionLimits

        public init(
            host: String = "0.0.0.0", port: Int = 8080, drainDelay: Duration = .zero, reloadInterval: Duration = .seconds(1),
            idleTimeout: Duration = .seconds(60), durabilityCheckInterval: Duration = .seconds(1), eventLoopThreads: Int = 1,
            redisCommandTimeout: Duration = .seconds(10), redisReconnectBackoff: Duration = .milliseconds(100),
            redisMaximumBackoff: Duration = .seconds(2), limits: EdgeConnectionLimits = EdgeConnectionLimits(),
            reloadsRoutes: Bool = true
        ) {
            self.host = host
            self.port = port
            self.drainDelay = drainDelay
            self.reloadInterval = reloadInterval
            self.idleTimeout = idleTimeout
            self.durabilityCheckInterval = durabilityCheckInterval
            self.eventLoopThreads = eventLoopThreads
            self.redisCommandTimeout = redisCommandTimeout
            self.redisReconnectBackoff = redisReconnectBackoff
            self.redisMaximumBackoff = redisMaximumBackoff
            self.limits = limits
            self.reloadsRoutes = reloadsRoutes
        }
    }

    static let serverName = "sluice-edge"

    /// Long-running parts, in start order: ingest Redis connections, reloader, durability monitor,
    /// partition watcher, refusal log, HTTP server, drain monitor (stopped in reverse order: the Redis connections close last,
    /// after the server answered its last call).
    public let services: [any Service]
    /// Puts a validated routes file in force: what the reloader calls with each one it loads.
    public let applyRoutes: @Sendable (RoutesConfig) -> Void

    /// - Parameters:
    ///   - routes: the validated routes file (and its bytes, so the first poll does not reload it).
    ///   - onListening: called with the bound port once the server accepts connections.
    public init(
        options: Options,
        routesSource: RoutesFileSource,
        routes: LoadedRoutes,
        routesBytes: [UInt8]?,
        redis: RedisClient,
        httpClient: HTTPClient,
        exporter: PrometheusExporter,
        logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() },
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        let metrics = IngressMetrics(factory: exporter.factory)
        let state = EdgeState(routes: routes.config, httpClient: httpClient, metrics: metrics, logger: logger)
        // Ingest writes go through a connection on each HTTP event loop (no thread hop per call),
        // per partition on a Redis Cluster; `redis` keeps serving readiness and the durability monitor.
        let partitions = IngressPartitions(
            client: redis, prefix: routes.config.redisPrefix,
            options: RedisLoopConnection.Options(
                commandTimeout: options.redisCommandTimeout, reconnectBackoff: options.redisReconnectBackoff,
                maximumBackoff: options.redisMaximumBackoff),
            logger: logger)
        let gate = DurabilityGate(required: routes.config.redisDurability, factory: exporter.factory)
        let refusals = IngressRefusalLog(logger: logger)
        // Webhook calls never reach the router: EdgeConnectionHandler answers every `/webhooks/` request.
        let router = Router()
        OperationsController(state: state, gate: gate, redis: redis, exporter: exporter).register(on: router)
        let connection = EdgeConnectionHandler.Dependencies(
            state: state, partitions: partitions, metrics: metrics, gate: gate, logger: logger, clock: clock,
            serverName: Self.serverName, idleTimeout: options.idleTimeout,
            registry: EdgeConnectionRegistry(limits: options.limits, factory: exporter.factory), refusals: refusals)

        let group = EdgeEventLoops.group(threads: max(1, options.eventLoopThreads))
        partitions.prepare(group)
        let app = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                EdgeHTTPChannel(responder: responder, connection: connection)
            },
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: Self.serverName),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? options.port) },
            eventLoopGroupProvider: .shared(group),
            logger: logger.forFramework
        )
        let applyRoutes: @Sendable (RoutesConfig) -> Void = { config in
            if config.redisPrefix != routes.config.redisPrefix {
                logger.warning("redis.prefix changed in routes.yaml; the edge keeps writing under the old prefix until restarted")
            }
            state.apply(config)
        }
        self.applyRoutes = applyRoutes
        let reloader = RoutesReloader(
            source: routesSource, initialBytes: routesBytes, initialSecretFiles: routes.secretFiles, pollInterval: options.reloadInterval,
            metrics: exporter.factory, logger: logger, apply: applyRoutes)
        let durability = DurabilityMonitor(
            state: state, gate: gate, redis: redis, interval: options.durabilityCheckInterval, logger: logger,
            onReachable: { partitions.reconnectNow() }, partitions: partitions)
        let reloading: [any Service] = options.reloadsRoutes ? [reloader] : []
        self.services =
            [IngestRedisService(partitions: partitions)] + reloading + [
                durability, IngressPartitionWatcher(state: state, partitions: partitions, logger: logger, factory: exporter.factory), refusals, app,
                DrainMonitor(delay: options.drainDelay) { state.startDraining() },
            ]
    }
}
