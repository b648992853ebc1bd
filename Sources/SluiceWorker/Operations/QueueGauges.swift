import CoreMetrics
import Logging
import ServiceLifecycle
import SluiceRedis

/// Refreshes `sluice_queue_depth{stream}`, `sluice_retry_backlog`, `sluice_waiting_deliveries` and
/// `sluice_dlq_size` from Redis, over every partition.
struct QueueGauges: Service {
    let stores: WorkerStores
    let logger: Logger
    let interval: Duration
    private let ingressDepth: Gauge
    private let deliveriesDepth: Gauge
    private let retryBacklog: Gauge
    private let dlqSize: Gauge
    private let waiting: Gauge

    init(stores: WorkerStores, factory: any MetricsFactory, interval: Duration, logger: Logger) {
        self.stores = stores
        self.logger = logger
        self.interval = interval
        ingressDepth = Gauge(label: "sluice_queue_depth", dimensions: [("stream", "ingress")], factory: factory)
        deliveriesDepth = Gauge(label: "sluice_queue_depth", dimensions: [("stream", "deliveries")], factory: factory)
        retryBacklog = Gauge(label: "sluice_retry_backlog", dimensions: [], factory: factory)
        dlqSize = Gauge(label: "sluice_dlq_size", dimensions: [], factory: factory)
        waiting = Gauge(label: "sluice_waiting_deliveries", dimensions: [], factory: factory)
    }

    func run() async throws {
        while !isStopping {
            do {
                let status = try await stores.status()
                ingressDepth.record(status.ingressLength)
                deliveriesDepth.record(status.deliveriesLength)
                retryBacklog.record(status.retryBacklog)
                dlqSize.record(status.deadLetters)
                waiting.record(status.waiting)
            } catch {
                logger.debug("queue gauges not refreshed", metadata: ["error": "\(error)"])
            }
            await sleepUnlessShuttingDown(for: interval)
        }
    }
}
