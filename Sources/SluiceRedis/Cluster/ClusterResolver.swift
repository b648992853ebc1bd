internal import CHiredis
import Foundation

/// Which master of a Redis Cluster serves the slot of a URL's `clusterTag`, asked of its seed
/// nodes in turn (`CLUSTER SLOTS`). Blocking hiredis calls: run it only on a thread of its own
/// (a `RedisConnection`'s, or one started for the purpose), never on an event loop or Swift's
/// cooperative pool. Asked again on every connect, so a failover or a moved slot is followed.
enum ClusterResolver {
    /// The master serving `url.clusterTag`'s slot.
    static func owner(for url: RedisURL, timeout: Duration) -> Result<RedisURL.ClusterNode, RedisError> {
        guard case .cluster(let seeds) = url.endpoint else {
            return .failure(RedisError(kind: .invalidURL, message: "\(url) is not a Redis Cluster URL"))
        }
        let slot = HashSlot.of(url.clusterTag)
        var problems: [String] = []
        for seed in seeds {
            switch ask(seed, slot: slot, url: url, timeout: timeout) {
            case .success(let owner): return .success(owner)
            case .failure(let problem): problems.append("\(seed.host):\(seed.port): \(problem.text)")
            }
        }
        return .failure(
            RedisError(
                kind: .unreachable,
                message: "no node of the Redis Cluster \(url) said which master serves slot \(slot) (hash tag {\(url.clusterTag)}): \(problems.joined(separator: "; "))"))
    }

    private static func ask(_ seed: RedisURL.ClusterNode, slot: Int, url: RedisURL, timeout: Duration) -> Result<RedisURL.ClusterNode, RedisConnection.RoundTripFailure> {
        guard let context = redisConnectWithTimeout(seed.host, Int32(seed.port), RedisConnection.timeval(timeout)) else {
            return .failure(RedisConnection.RoundTripFailure(text: "out of memory"))
        }
        defer { redisFree(context) }
        guard context.pointee.err == 0 else { return .failure(RedisConnection.RoundTripFailure(text: RedisConnection.errorString(context))) }
        _ = redisSetTimeout(context, RedisConnection.timeval(timeout))
        for (what, command) in url.setupCommands {
            if case .failure(let failure) = RedisConnection.roundTrip(command, on: context) {
                return .failure(RedisConnection.RoundTripFailure(text: "could not \(what): \(failure)"))
            }
        }
        switch RedisConnection.roundTrip(["CLUSTER", "SLOTS"], on: context) {
        case .failure(let failure):
            return .failure(RedisConnection.RoundTripFailure(text: "could not ask for the slot map: \(failure)"))
        case .success(let slotMap):
            if let master = master(ofSlot: slot, in: slotMap) {
                // An empty host means "the address you reached me at".
                return .success(RedisURL.ClusterNode(host: master.host ?? seed.host, port: master.port))
            }
        }
        return .failure(RedisConnection.RoundTripFailure(text: "slot \(slot) is not served by any master (is the cluster complete?)"))
    }

    /// The master serving `slot` in a `CLUSTER SLOTS` reply, whose ranges are [first slot, last
    /// slot, [host, port, id, …] of its master, replicas…]; a nil host when the reply leaves it
    /// empty (the node answering is meant).
    static func master(ofSlot slot: Int, in slotMap: RedisReply) -> (host: String?, port: Int)? {
        for range in slotMap.array ?? [] {
            // Compared, not made into a range (a reversed one traps), and the port checked: the
            // reply comes over an unencrypted connection, and a bad one must not crash the process.
            guard let parts = range.array, parts.count >= 3, let first = parts[0].int, let end = parts[1].int,
                first <= Int64(slot), Int64(slot) <= end, let master = parts[2].array, master.count >= 2, let port = master[1].int,
                (1...65535).contains(port)
            else { continue }
            return (master[0].string.flatMap { $0.isEmpty || $0 == "?" ? nil : $0 }, Int(port))
        }
        return nil
    }
}
