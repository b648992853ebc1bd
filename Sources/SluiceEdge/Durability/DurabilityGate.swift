import SluiceCore
import Synchronization

/// Whether Redis currently gives the durability that `redis.durability` asks for.
///
/// `DurabilityMonitor` updates it; `/readyz` and every webhook call read it, so reading is one
/// atomic load while the requirement is met (the common case) and no Redis round trip.
final class DurabilityGate: Sendable {
    private let refusal: Mutex<String?>
    private let met: Atomic<Bool>

    /// Unless durability is `none` the gate starts closed: nothing is accepted before Redis was checked once.
    init(required: RedisDurability) {
        let initial: String? = required == .none ? nil : "Redis's persistence settings have not been checked yet"
        refusal = Mutex(initial)
        met = Atomic(initial == nil)
    }

    /// Nil while the requirement is met; otherwise why events are refused.
    var unmetReason: String? {
        if met.load(ordering: .acquiring) { return nil }
        return refusal.withLock { $0 }
    }

    /// Records the latest check; returns whether the verdict changed (for logging transitions once).
    @discardableResult
    func update(_ reason: String?) -> Bool {
        refusal.withLock { current in
            defer {
                current = reason
                met.store(reason == nil, ordering: .releasing)
            }
            return current != reason
        }
    }

    /// Why Redis's settings as it reported them fall short of `required`, or nil.
    static func refusal(
        required: RedisDurability, appendOnly: String?, appendFsync: String?, maxMemory: String? = "0", maxMemoryPolicy: String? = "noeviction"
    ) -> String? {
        if required != .none, let policy = maxMemoryPolicy, policy != "noeviction", let limit = maxMemory, limit != "0" {
            return "Redis runs with maxmemory \(limit) and maxmemory-policy \(policy), so it may evict keys — Sluice's streams, retries and dead letters among them — once full; set maxmemory-policy noeviction (Redis then refuses writes when full, and the edge answers 503)"
        }
        switch required {
        case .none:
            return nil
        case .write:
            guard appendOnly == "yes" else {
                return "redis.durability is write but Redis runs with appendonly \(appendOnly ?? "unknown"), so a Redis restart would lose every accepted event; set appendonly yes (or durability: none to accept that)"
            }
            return nil
        case .fsync:
            guard appendOnly == "yes" else {
                return "redis.durability is fsync but Redis runs with appendonly \(appendOnly ?? "unknown"); set appendonly yes and appendfsync always"
            }
            guard appendFsync == "always" else {
                return "redis.durability is fsync but Redis runs with appendfsync \(appendFsync ?? "unknown"); set appendfsync always (or use durability: write)"
            }
            return nil
        }
    }
}
