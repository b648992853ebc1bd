import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import SluiceRedis

/// Refreshes `sluice_queue_depth{stream}`, `sluice_retry_backlog`, `sluice_waiting_deliveries` and
/// `sluice_dlq_size` from Redis, over every partition, and records them once a minute in
/// `{P}:v1:history` for the console.
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
        var lastRecordedMinute: Int64 = -1
        while !isStopping {
            do {
                let status = try await stores.status()
                // Once a minute, for the console's sparklines; the first worker in a minute writes it.
                let now = Date().unixMillis
                if now / 60_000 != lastRecordedMinute {
                    let first = stores.store(0)
                    _ = try? await QueueHistory(client: first.client, keyspace: first.keyspace).record(status, nowMillis: now)
                    lastRecordedMinute = now / 60_000
                }
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
