import SluiceCore
/// The installation's recorded partition count (`{P}:v1:partitions`): the highest
/// `redis.partitions` any edge or worker has used, which workers read all partitions below.
///
/// Edges raise it before they write to a partition above it, and workers read up to it, so an
/// event is never written where no worker reads, whatever order processes change their
/// configuration in.
public struct PartitionRecord: Sendable {
    /// A client of partition 0, whose slot holds the record.
    public let client: RedisClient
    /// The key, `{P}:v1:partitions`.
    public let key: String

    public init(client: RedisClient, prefix: String) {
        self.client = client
        self.key = Keyspace(prefix: prefix).partitionCount
    }

    /// Raises the record to `count` if it is lower; returns the record after that.
    public func raise(to count: Int) async throws(RedisError) -> Int {
        let reply = try await client.run(PartitionCountScript.script, keys: [RedisArgument(key)], args: [RedisArgument(count)])
        // Above the most a routes file sets, the record was not written by Sluice: a worker would
        // open connections and readers for every one of them.
        guard let held = reply.int, (1...Int64(EventPartition.maxCount)).contains(held) else {
            throw RedisError(
                kind: .protocolViolation,
                message: "the partition count script on Redis at \(client.url) returned \(reply) instead of a count from 1 to \(EventPartition.maxCount); is \(key) damaged?")
        }
        return Int(held)
    }

    /// The recorded count (1 when absent).
    public func read() async throws(RedisError) -> Int {
        let reply = try await client.send(["GET", RedisArgument(key)])
        guard let text = reply.string else { return 1 }
        // Above the most any routes file sets, the record was not written by Sluice: reading that
        // many partitions (`partitions show` at Int.max) would never end.
        guard let count = Int(text), (1...EventPartition.maxCount).contains(count) else {
            throw RedisError(kind: .protocolViolation, message: "\(key) on Redis at \(client.url) holds '\(text)', not a partition count")
        }
        return count
    }

    /// Sets the record to `count` (`sluice partitions prune`, once the partitions above it are empty).
    public func lower(to count: Int) async throws(RedisError) {
        _ = try await client.send(["SET", RedisArgument(key), RedisArgument(count)])
    }
}
