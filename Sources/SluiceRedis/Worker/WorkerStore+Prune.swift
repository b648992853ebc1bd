import Foundation

// What `sluice partitions prune` does to a partition it is about to drop, beyond checking that
// it holds no work.
extension WorkerStore {
    /// Trims this partition's archive to the recovery window (deleting it without one) and says
    /// what is left: nothing routes in a partition being pruned, so nothing else would trim it.
    /// - Returns: the archived events still within the window, and when the oldest leaves it.
    public func trimArchiveForPrune(window: Duration, nowMillis: Int64) async throws(RedisError) -> (count: Int, expiresAtMillis: Int64?) {
        let archive = RedisArgument(keyspace.archive)
        if window > .zero {
            _ = try await client.send(["XTRIM", archive, "MINID", RedisArgument(nowMillis - window.wholeMillis)])
        } else {
            _ = try await client.send(["DEL", archive])
        }
        let first = try await client.send(["XRANGE", archive, "-", "+", "COUNT", "1"])
        let length = try await client.send(["XLEN", archive]).int ?? 0
        let oldest = first.array?.first?.array?.first?.string.flatMap { RedisStreamEntry.millis(ofID: $0) }
        return (Int(length), oldest.map { $0 + window.wholeMillis })
    }

    /// Deletes this partition's event index: once the partition is pruned, nothing reads it.
    public func dropEventIndexForPrune() async throws(RedisError) {
        _ = try await client.send(["DEL", RedisArgument(keyspace.eventIndex)])
    }
}
