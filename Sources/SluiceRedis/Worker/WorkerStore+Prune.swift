import Foundation

// What `sluice partitions prune` does to a partition it is about to drop.
extension WorkerStore {
    /// The work this partition holds, read at one instant (`PartitionWorkScript`): unlike
    /// ``status()``, no delivery moving between queues while it reads can go uncounted.
    public func workLeftForPrune() async throws(RedisError) -> StoreStatus {
        let members = (try await client.send(["ZRANGE", RedisArgument(keyspace.waiting), "0", "-1"]).array ?? []).compactMap(\.string)
        let keys = [keyspace.ingress, keyspace.deliveries, keyspace.retry, keyspace.deadLetters, keyspace.waiting]
            .map { RedisArgument($0) } + members.map { RedisArgument(keyspace.waitingLine(member: $0)) }
        let reply = try await client.run(PartitionWorkScript.script, keys: keys, args: members.map { RedisArgument($0) })
        let counts = (reply.array ?? []).compactMap { $0.int.map(Int.init) }
        guard counts.count == 5 else {
            throw RedisError(kind: .protocolViolation, message: "the partition work script on Redis at \(client.url) returned \(reply)")
        }
        return StoreStatus(
            ingressLength: counts[0], ingressPending: 0, deliveriesLength: counts[1], deliveriesPending: 0,
            retryBacklog: counts[2], deadLetters: counts[3], waiting: counts[4])
    }

    /// Trims this partition's archive to the recovery window (deleting it without one) and says
    /// what is left: nothing routes in a partition being pruned, so nothing else would trim it.
    /// - Returns: the archived events still within the window, and when the oldest leaves it.
    public func trimArchiveForPrune(window: Duration, nowMillis: Int64) async throws(RedisError) -> (count: Int, expiresAtMillis: Int64?) {
        let archive = RedisArgument(keyspace.archive)
        if window > .zero {
            _ = try await client.send(["XTRIM", archive, "MINID", RedisArgument(nowMillis - window.nonNegativeMillis)])
        } else {
            _ = try await client.send(["DEL", archive])
        }
        let first = try await client.send(["XRANGE", archive, "-", "+", "COUNT", "1"])
        let length = try await client.send(["XLEN", archive]).int ?? 0
        let oldest = first.array?.first?.array?.first?.string.flatMap { RedisStreamEntry.millis(ofID: $0) }
        // An id near Int64's top (written by hand: XTRIM MINID never removes it) saturates.
        return (Int(length), oldest.map { millis in
            let (leaves, overflow) = millis.addingReportingOverflow(window.nonNegativeMillis)
            return overflow ? .max : leaves
        })
    }

    /// Deletes this partition's event index: once the partition is pruned, nothing reads it.
    public func dropEventIndexForPrune() async throws(RedisError) {
        _ = try await client.send(["DEL", RedisArgument(keyspace.eventIndex)])
    }
}
