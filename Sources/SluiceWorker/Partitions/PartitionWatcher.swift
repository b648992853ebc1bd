import CoreMetrics
import Logging
import ServiceLifecycle
import SluiceRedis

/// Keeps the worker reading every partition that may hold events: raises the installation's
/// recorded partition count to routes.yaml's `redis.partitions` and adds stores up to the
/// larger of the two (see `PartitionRecord`). Partitions are never dropped while the process
/// runs: after `redis.partitions` is lowered, the partitions above it still drain.
struct PartitionWatcher: Service {
    let state: WorkerState
    let stores: WorkerStores
    let logger: Logger
    /// `sluice_worker_partitions`: the partitions this worker reads.
    let reading: Gauge
    var interval: Duration = .seconds(1)

    init(state: WorkerState, stores: WorkerStores, logger: Logger, factory: any MetricsFactory) {
        self.state = state
        self.stores = stores
        self.logger = logger
        reading = Gauge(label: "sluice_worker_partitions", dimensions: [], factory: factory)
    }

    func run() async throws {
        var outage = OutageLog(
            failing: "cannot read or raise the recorded partition count", resumed: "reading the recorded partition count again", level: .warning)
        while !isStopping {
            let wanted = state.current.routes.redisPartitions
            do {
                let recorded = try await stores.record.raise(to: wanted)
                outage.succeeded(logger: logger)
                let before = stores.count
                if stores.grow(to: max(wanted, recorded)) {
                    logger.info(
                        "reading more partitions", metadata: ["from": "\(before)", "to": "\(stores.count)", "configured": "\(wanted)"])
                }
            } catch {
                outage.failed(error, logger: logger)
            }
            reading.record(stores.count)
            await sleepUnlessShuttingDown(for: interval)
        }
    }
}
