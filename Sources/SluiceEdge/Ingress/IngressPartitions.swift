import Logging
import NIOCore
import SluiceCore
import SluiceRedis
import Synchronization

/// Where the edge writes each event: its partition's keys (`redis.partitions`), through that
/// partition's connection on the caller's event loop.
///
/// On a single Redis every partition shares the loops' connections; on a Redis Cluster each
/// partition has its own, connected to the master of its hash tag's slot. The partition count
/// in use (`active`) rises only once the installation's record is at least as high
/// (`IngressPartitionWatcher`), so no event is written to a partition workers do not read yet.
final class IngressPartitions: Sendable {
    private struct Partition {
        let store: IngressStore
        let connections: RedisLoopConnections
    }

    let prefix: String
    /// Partition 0's client: the record lives in its slot.
    let client: RedisClient
    private let options: RedisLoopConnection.Options
    private let logger: Logger
    private let shared: RedisLoopConnections?
    private let partitions = Mutex<[Partition]>([])
    private let active = Atomic<Int>(1)
    /// Partition 0, every event's with one partition: read without taking the lock.
    private let first: Partition

    /// - Parameter client: partition 0's client (its URL's cluster tag is the prefix).
    init(client: RedisClient, prefix: String, options: RedisLoopConnection.Options, logger: Logger) {
        self.prefix = prefix
        self.client = client
        self.options = options
        self.logger = logger
        let shared = client.url.isCluster ? nil : RedisLoopConnections(url: client.url, options: options, logger: logger.forRedisConnection("ingest"))
        self.shared = shared
        let keyspace = Keyspace(prefix: prefix)
        first = Partition(
            store: IngressStore(client: client, keyspace: keyspace),
            connections: shared ?? RedisLoopConnections(url: client.url.tagged(keyspace.tag), options: options, logger: logger.forRedisConnection("ingest", partition: 0)))
        partitions.withLock { $0 = [first] }
    }

    /// How many partitions events are spread over now.
    var count: Int { active.load(ordering: .relaxed) }

    /// Spreads events over `count` partitions from now on. Callers raise the record first.
    func use(_ count: Int) {
        for index in 0..<count { _ = partition(index) }
        active.store(max(1, count), ordering: .relaxed)
    }

    /// Whether every partition shares the loops' connections (a single Redis).
    var sharesConnections: Bool { shared != nil }

    /// The partition of `webhookID` under the count in use.
    func partition(of webhookID: String) -> Int {
        EventPartition.of(webhookID: webhookID, count: count)
    }

    /// The store and connections of `index`, made on first use.
    func store(_ index: Int) -> IngressStore { partition(index).store }

    func connections(_ index: Int) -> RedisLoopConnections { partition(index).connections }

    /// Starts partition 0's connections on every loop of `group` ahead of the first request.
    func prepare(_ group: any EventLoopGroup) {
        connections(0).prepare(group)
    }

    /// The record of the installation's partition count.
    var record: PartitionRecord { PartitionRecord(client: client, prefix: prefix) }

    /// Has every partition's connections that are backing off try to connect at once.
    func reconnectNow() {
        for partition in partitions.withLock({ $0 }) {
            partition.connections.reconnectNow()
        }
    }

    /// Closes every partition's connections.
    func close() async {
        for partition in partitions.withLock({ $0 }) {
            await partition.connections.close()
        }
    }

    private func partition(_ index: Int) -> Partition {
        if index == 0 { return first }
        return partitions.withLock { partitions in
            while partitions.count <= index {
                let keyspace = Keyspace(prefix: prefix, partition: partitions.count)
                let connections = shared ?? RedisLoopConnections(
                    url: client.url.tagged(keyspace.tag), options: options, logger: logger.forRedisConnection("ingest", partition: partitions.count))
                partitions.append(Partition(store: IngressStore(client: client, keyspace: keyspace), connections: connections))
            }
            return partitions[index]
        }
    }
}
