import CoreMetrics
import Logging
import ServiceLifecycle
import SluiceRedis

/// Applies routes.yaml's `redis.partitions` to the edge: a higher count only once the
/// installation's record is raised to it (workers then read the new partitions), a lower one
/// at once (workers keep reading every partition below the record, so the ones left drain).
/// Raises the record again every second, so one lowered by `sluice partitions prune` while
/// this edge still spreads events wider is put back before workers stop reading.
struct IngressPartitionWatcher: Service {
    let state: EdgeState
    let partitions: IngressPartitions
    let logger: Logger
    /// `sluice_ingress_partitions`: the partitions events are spread over now.
    let inUse: Gauge
    var interval: Duration = .seconds(1)

    init(state: EdgeState, partitions: IngressPartitions, logger: Logger, factory: any MetricsFactory) {
        self.state = state
        self.partitions = partitions
        self.logger = logger
        inUse = Gauge(label: "sluice_ingress_partitions", dimensions: [], factory: factory)
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let wanted = state.current.routes.redisPartitions
            if wanted <= 1 {
                partitions.use(1)
            } else {
                do {
                    _ = try await partitions.record.raise(to: wanted)
                    if wanted != partitions.count {
                        logger.info("spreading events over \(wanted) partitions", metadata: ["from": "\(partitions.count)"])
                    }
                    partitions.use(wanted)
                } catch {
                    if wanted < partitions.count { partitions.use(wanted) }
                    logger.warning("cannot raise the recorded partition count; retrying", metadata: ["error": "\(error)"])
                }
            }
            inUse.record(partitions.count)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
