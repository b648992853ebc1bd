import ServiceLifecycle
import SluiceRedis

/// Runs one copy of a per-partition loop (router, retry mover, janitor) for every partition,
/// starting copies for partitions added while it runs (`PartitionWatcher`), so a partition
/// count raised on a running system is read at once. Ends when every copy has ended.
struct PerPartition: Service {
    let stores: WorkerStores
    let make: @Sendable (WorkerStore) -> any Service
    var pollInterval: Duration = .seconds(1)

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            var started = 0
            while true {
                while started < stores.count {
                    let service = make(stores.store(started))
                    group.addTask { try await service.run() }
                    started += 1
                }
                if isStopping { break }
                await sleepUnlessShuttingDown(for: pollInterval)
            }
        }
    }
}
