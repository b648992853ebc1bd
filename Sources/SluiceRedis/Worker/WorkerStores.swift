public import Logging
import Synchronization

/// One `WorkerStore` per partition (`redis.partitions`), created as partitions come into use.
///
/// On a single Redis every partition shares one pipelined client; on a Redis Cluster each
/// partition has its own, connected to the master of its hash tag's slot (so commands go where
/// their keys live, and each follows its own slot through failovers and resharding). Blocking
/// reads always get a client per partition and stage: `XREADGROUP BLOCK` holds its connection.
public final class WorkerStores: Sendable {
    /// A partition's stores: the router's blocking reads and the delivery stage's use different
    /// connections, so neither waits behind the other's block.
    private struct Partition {
        let router: WorkerStore
        let delivery: WorkerStore
        let owned: [RedisClient]
    }

    /// Where Redis is (a cluster URL's tag is set per partition).
    public let url: RedisURL
    /// routes.yaml's `redis.prefix`.
    public let prefix: String
    private let logger: Logger
    private let shared: RedisClient?
    private let partitions = Mutex<[Partition]>([])

    /// Stores for partitions 0..<count of `prefix` at `url`.
    public init(url: RedisURL, prefix: String, count: Int, logger: Logger) {
        self.url = url
        self.prefix = prefix
        self.logger = logger
        shared = url.isCluster ? nil : RedisClient(url: url, logger: logger.forRedisConnection("commands"))
        grow(to: count)
    }

    /// How many partitions have stores: every worker loop runs for each.
    public var count: Int { partitions.withLock { $0.count } }

    /// The store of `partition` (0..<count) whose blocking reads are the router's.
    public func store(_ partition: Int) -> WorkerStore {
        partitions.withLock { $0[partition].router }
    }

    /// The store of `partition` whose blocking reads are the delivery stage's (same keys, same
    /// pipelined client, its own blocking connection).
    public func deliveryStore(_ partition: Int) -> WorkerStore {
        partitions.withLock { $0[partition].delivery }
    }

    /// Every partition's store, in order.
    public var all: [WorkerStore] { partitions.withLock { $0.map(\.router) } }

    /// The record of the installation's partition count, kept in partition 0.
    public var record: PartitionRecord { PartitionRecord(client: store(0).client, prefix: prefix) }

    /// Adds stores up to `count` partitions (never removes any); returns whether any were added.
    @discardableResult
    public func grow(to count: Int) -> Bool {
        partitions.withLock { partitions in
            guard count > partitions.count else { return false }
            for index in partitions.count..<count {
                let keyspace = Keyspace(prefix: prefix, partition: index)
                let url = url.tagged(keyspace.tag)
                let client = shared ?? RedisClient(url: url, logger: logger.forRedisConnection("commands", partition: index))
                // Above the 1 s block time, so a blocked read is never taken for a lost connection.
                let routerReads = RedisClient(
                    url: url, logger: logger.forRedisConnection("router-reads", partition: index), commandTimeout: .seconds(30))
                let deliveryReads = RedisClient(
                    url: url, logger: logger.forRedisConnection("delivery-reads", partition: index), commandTimeout: .seconds(30))
                partitions.append(Partition(
                    router: WorkerStore(client: client, blockingClient: routerReads, keyspace: keyspace),
                    delivery: WorkerStore(client: client, blockingClient: deliveryReads, keyspace: keyspace),
                    owned: (shared == nil ? [client] : []) + [routerReads, deliveryReads]))
            }
            return true
        }
    }

    /// Adds stores up to the installation's recorded partition count, so that readers (operator
    /// commands, the console) see every partition that may hold something; returns self.
    @discardableResult
    public func growToRecord() async throws(RedisError) -> WorkerStores {
        grow(to: try await record.read())
        return self
    }

    /// Queue depths over every partition.
    public func status() async throws(RedisError) -> StoreStatus {
        var total = StoreStatus.empty
        for store in all { total = total + (try await store.status()) }
        return total
    }

    /// Closes every client; commands still queued fail with `.clientShutdown`. Idempotent.
    public func shutdown() {
        shared?.shutdown()
        for partition in partitions.withLock({ $0 }) {
            for client in partition.owned { client.shutdown() }
        }
    }
}
