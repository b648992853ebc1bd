import SluiceRedis
import Synchronization

/// One `CompletionBatcher` per partition: a delivery is settled by a script in its own
/// partition's slot, so batches never mix partitions.
final class CompletionBatchers: Sendable {
    private let make: @Sendable (WorkerStore) -> CompletionBatcher
    private let stores: WorkerStores
    private let batchers = Mutex<[Int: CompletionBatcher]>([:])

    init(stores: WorkerStores, make: @escaping @Sendable (WorkerStore) -> CompletionBatcher) {
        self.stores = stores
        self.make = make
    }

    /// The batcher of `partition`, made on first use.
    func callAsFunction(_ partition: Int) -> CompletionBatcher {
        batchers.withLock { batchers in
            if let existing = batchers[partition] { return existing }
            let made = make(stores.store(partition))
            batchers[partition] = made
            return made
        }
    }
}
