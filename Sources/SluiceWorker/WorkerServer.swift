public import Foundation
import Hummingbird
public import Logging
public import ServiceLifecycle
public import SluiceCore
public import SluiceDelivery
public import SluiceRedis
public import SluiceRuntime

/// The `sluice worker` process: the router and delivery stages and the services around them.
///
/// Add `services` to a `ServiceGroup`. They start in order and stop in reverse on SIGTERM:
/// `/readyz` fails first, then the router stops, then the delivery stage stops reading and
/// finishes in-flight attempts within ``Options/shutdownGrace``, then the rest.
public struct WorkerServer: Sendable {
    /// The long-running halves of the worker; a process runs either or both.
    public enum Stage: String, Sendable, CaseIterable {
        /// Expands ingress events into deliveries.
        case router
        /// Attempts deliveries, retries and dead-letters them.
        case delivery
    }

    /// How the worker runs.
    public struct Options: Sendable {
        /// Which stages run in this process.
        public var stages: Set<Stage>
        /// Where `/healthz`, `/readyz` and `/metrics` listen.
        public var metricsHost: String
        /// The metrics port; 0 picks a free one (reported through `onMetricsListening`).
        public var metricsPort: Int
        /// This process's consumer name in both consumer groups; unique per process.
        public var consumerName: String
        /// How often routes.yaml is re-read.
        public var reloadInterval: Duration
        /// Whether the worker runs its own routes reloader. `sluice dev` turns it off and runs one
        /// reloader for the edge and the worker together (``WorkerServer/applyRoutes``), so that
        /// an edit is applied, logged and counted once.
        public var reloadsRoutes: Bool
        /// On SIGTERM, how long in-flight deliveries may take to finish before they are abandoned
        /// (they stay pending and another worker reclaims them).
        public var shutdownGrace: Duration
        /// Deliveries queued or running at once in this process, over all endpoints.
        public var maxInFlight: Int
        /// How often the queue-depth gauges are refreshed from Redis.
        public var statusInterval: Duration
        /// The version in `user-agent: sluice/VERSION`.
        public var version: String
        /// How long a full lane's overflow waits for the lane to take some of it before it goes to
        /// the endpoint's waiting line (`DeliveryDispatcher.overflowWait`). Tests lengthen it to
        /// show that nothing but that endpoint waits for it.
        public var overflowWait: Duration
        /// The longest a delivery stays in a full lane's overflow before it goes to the waiting
        /// line, however the lane drains (`DeliveryDispatcher.maxResidency`). Lane sizing leaves
        /// a delivery's visibility timeout room for 1 s of it: longer, and a delivery may be
        /// reclaimed by another worker while it waits. Tests lengthen it with `overflowWait`.
        public var overflowResidency: Duration

        /// Creates options; the defaults suit a production worker.
        public init(
            stages: Set<Stage> = [.router, .delivery],
            metricsHost: String = "0.0.0.0",
            metricsPort: Int = 9090,
            consumerName: String = Options.defaultConsumerName(),
            reloadInterval: Duration = .seconds(1),
            shutdownGrace: Duration = .seconds(30),
            maxInFlight: Int = 1024,
            statusInterval: Duration = .seconds(5),
            version: String = "0.1.0",
            reloadsRoutes: Bool = true,
            overflowWait: Duration = .milliseconds(100),
            overflowResidency: Duration = .seconds(1)
        ) {
            self.stages = stages
            self.metricsHost = metricsHost
            self.metricsPort = metricsPort
            self.consumerName = consumerName
            self.reloadInterval = reloadInterval
            self.shutdownGrace = shutdownGrace
            self.maxInFlight = maxInFlight
            self.statusInterval = statusInterval
            self.version = version
            self.reloadsRoutes = reloadsRoutes
            self.overflowWait = overflowWait
            self.overflowResidency = overflowResidency
        }

        /// `hostname-pid-random`: unique even when a pod restarts with the same pid.
        public static func defaultConsumerName() -> String {
            let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            return "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(random)"
        }
    }

    /// Long-running parts, in start order: reloader, metrics server, partition watcher, gauges,
    /// retry movers, delivery stage, routers, janitors, drain monitor (movers, routers and
    /// janitors run one loop per partition).
    public let services: [any Service]
    /// Puts a validated routes file in force: what the reloader calls with each one it loads.
    public let applyRoutes: @Sendable (RoutesConfig) -> Void

    /// - Parameters:
    ///   - routes: the validated routes file (and its bytes, so the first poll does not reload it).
    ///   - stores: the worker's Redis view, one store per partition (more are added as the
    ///     installation's partition count grows); each has its own blocking connections for the
    ///     router's and the delivery stage's `XREADGROUP BLOCK` calls, so they never wait on each other.
    ///   - onMetricsListening: called with the bound metrics port once it accepts connections.
    public init(
        options: Options,
        routesSource: RoutesFileSource,
        routes: LoadedRoutes,
        routesBytes: [UInt8]?,
        stores: WorkerStores,
        httpClient: HTTPClient,
        exporter: PrometheusExporter,
        logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() },
        onMetricsListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        let state = WorkerState(routes: routes.config)
        let applyRoutes: @Sendable (RoutesConfig) -> Void = { config in
            if config.redisPrefix != routes.config.redisPrefix {
                logger.warning("redis.prefix changed in routes.yaml; the worker keeps using the old prefix until restarted")
            }
            state.apply(config)
        }
        self.applyRoutes = applyRoutes
        let reloader = RoutesReloader(
            source: routesSource, initialBytes: routesBytes, initialSecretFiles: routes.secretFiles, pollInterval: options.reloadInterval,
            metrics: exporter.factory, logger: logger, apply: applyRoutes)

        let router = Router()
        OperationsController(state: state, stores: stores, exporter: exporter).register(on: router)
        let operations = Application(
            router: router,
            configuration: .init(address: .hostname(options.metricsHost, port: options.metricsPort), serverName: "sluice-worker"),
            onServerRunning: { channel in await onMetricsListening(channel.localAddress?.port ?? options.metricsPort) },
            logger: logger.forFramework
        )

        var services: [any Service] = options.reloadsRoutes ? [reloader] : []
        services += [
            operations, PartitionWatcher(state: state, stores: stores, logger: logger, factory: exporter.factory),
            QueueGauges(stores: stores, factory: exporter.factory, interval: options.statusInterval, logger: logger),
        ]
        if options.stages.contains(.delivery) {
            let executor = DeliveryExecutor(
                state: state, stores: stores, httpClient: httpClient, breakers: CircuitBreakers(), consumer: options.consumerName,
                metrics: DeliveryMetrics(factory: exporter.factory), builder: OutboundRequestBuilder(version: options.version),
                logger: logger, clock: clock)
            services.append(CircuitGaugeRefresher(executor: executor, interval: options.statusInterval))
            services.append(executor.retryLog)
            services.append(EndpointActivityPublisher(
                activity: executor.activity, state: state, stores: stores, consumer: options.consumerName, logger: logger, interval: options.statusInterval))
            services.append(PerPartition(stores: stores) { store in
                RetryMover(
                    store: store, state: state, maxInFlight: options.maxInFlight, partitions: { stores.count }, logger: logger, clock: clock)
            })
            services.append(
                DeliveryStage(
                    state: state, stores: stores, executor: executor, maxInFlight: options.maxInFlight,
                    overflowWait: options.overflowWait, overflowResidency: options.overflowResidency, consumer: options.consumerName, shutdownGrace: options.shutdownGrace, logger: logger, clock: clock,
                    factory: exporter.factory))
        }
        if options.stages.contains(.router) {
            services.append(PerPartition(stores: stores) { store in
                RouterStage(
                    state: state, store: store, consumer: options.consumerName, logger: logger, clock: clock,
                    undecodable: UndecodableEntries(store: store, logger: logger, factory: exporter.factory),
                    deadLetters: DeadLetterMetrics(factory: exporter.factory))
            })
        }
        services.append(PerPartition(stores: stores) { store in
            WorkerJanitor(state: state, store: store, consumer: options.consumerName, logger: logger, clock: clock)
        })
        services.append(DrainMonitor { state.startDraining() })
        self.services = services
    }
}
