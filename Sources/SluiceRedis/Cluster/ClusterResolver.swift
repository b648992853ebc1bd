internal import CHiredis
import Foundation

/// Which master of a Redis Cluster serves the slot of a URL's `clusterTag`, asked of its seed
/// nodes in turn (`CLUSTER SLOTS`). Blocking hiredis calls: run it only on a thread of its own
/// (a `RedisConnection`'s, or one started for the purpose), never on an event loop or Swift's
/// cooperative pool. Asked again on every connect, so a failover or a moved slot is followed.
enum ClusterResolver {
    /// Why one seed could not answer.
    struct Problem: Error {
        var text: String
    }

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

    private static func ask(_ seed: RedisURL.ClusterNode, slot: Int, url: RedisURL, timeout: Duration) -> Result<RedisURL.ClusterNode, Problem> {
        guard let context = redisConnectWithTimeout(seed.host, Int32(seed.port), RedisConnection.timeval(timeout)) else {
            return .failure(Problem(text: "out of memory"))
        }
        defer { redisFree(context) }
        guard context.pointee.err == 0 else { return .failure(Problem(text: RedisConnection.errorString(context))) }
        _ = redisSetTimeout(context, RedisConnection.timeval(timeout))
        var last: RedisReply = .null
        for (what, command) in url.setupCommands + [("ask for the slot map", ["CLUSTER", "SLOTS"])] {
            var raw: UnsafeMutableRawPointer?
            guard RedisConnection.append(RedisConnection.EncodedCommand(command), to: context),
                redisGetReply(context, &raw) == REDIS_OK, let raw
            else { return .failure(Problem(text: "could not \(what): \(RedisConnection.errorString(context))")) }
            last = RedisConnection.convert(UnsafePointer(raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
            if let message = last.errorMessage { return .failure(Problem(text: "could not \(what): \(message)")) }
        }
        // Each range: [first slot, last slot, [host, port, id, …] of its master, replicas…].
        for range in last.array ?? [] {
            guard let parts = range.array, parts.count >= 3, let first = parts[0].int, let end = parts[1].int,
                (Int(first)...Int(end)).contains(slot), let master = parts[2].array, master.count >= 2, let port = master[1].int
            else { continue }
            // An empty host means "the address you reached me at".
            let host = master[0].string.flatMap { $0.isEmpty || $0 == "?" ? nil : $0 } ?? seed.host
            return .success(RedisURL.ClusterNode(host: host, port: Int(port)))
        }
        return .failure(Problem(text: "slot \(slot) is not served by any master (is the cluster complete?)"))
    }
}
