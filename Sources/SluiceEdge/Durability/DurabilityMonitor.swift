import Logging
import ServiceLifecycle
import SluiceCore
import SluiceRedis

/// Re-checks Redis's persistence settings with `CONFIG GET` while `redis.durability` is `fsync`.
///
/// Redis 7.0 has no `WAITAOF`, so the edge cannot confirm that one write reached the disk; what
/// it can confirm is that Redis fsyncs every write before replying (`appendfsync always`). The
/// check repeats every `interval` because an operator can change the setting at runtime, a
/// restarted Redis can come back with another configuration, and a reload can switch the
/// requirement. Between two checks a change goes unnoticed for at most `interval`.
struct DurabilityMonitor: Service {
    let state: EdgeState
    let gate: DurabilityGate
    let redis: RedisClient
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await check()
                try await Task.sleep(for: interval)
            }
        }
    }

    private func check() async {
        let required = state.current.routes.redisDurability
        let reason: String?
        if required == .write {
            reason = nil
        } else {
            reason = await fsyncRefusal()
        }
        guard gate.update(reason) else { return }
        if let reason {
            logger.error("not accepting events: Redis does not give the configured durability", metadata: ["reason": "\(reason)"])
        } else if required == .fsync {
            logger.notice("Redis reports appendonly yes and appendfsync always; accepting events (durability: fsync)")
        }
    }

    private func fsyncRefusal() async -> String? {
        let replies: [RedisReply]
        do {
            replies = try await redis.pipeline([["CONFIG", "GET", "appendonly"], ["CONFIG", "GET", "appendfsync"]])
        } catch {
            return "cannot check Redis's persistence settings: \(error.message)"
        }
        for reply in replies {
            if let message = reply.errorMessage {
                // Managed Redis services often rename or forbid CONFIG: say so instead of guessing.
                return "redis.durability is fsync but this Redis refuses CONFIG GET (\(message)), so appendfsync cannot be confirmed; allow CONFIG GET for sluice's user, or use durability: write if your provider fsyncs every write"
            }
        }
        func value(_ reply: RedisReply) -> String? {
            // CONFIG GET answers [name, value].
            guard let pair = reply.array, pair.count == 2 else { return nil }
            return pair[1].string
        }
        return DurabilityGate.refusal(required: .fsync, appendOnly: value(replies[0]), appendFsync: value(replies[1]))
    }
}
