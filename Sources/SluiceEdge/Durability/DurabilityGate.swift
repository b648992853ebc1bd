import SluiceCore
import Synchronization

/// Whether Redis currently gives the durability that `redis.durability` asks for.
///
/// `DurabilityMonitor` updates it; `/readyz` and `DurabilityMiddleware` read it on every call, so
/// reading is one lock and no Redis round trip.
final class DurabilityGate: Sendable {
    private let refusal: Mutex<String?>

    /// With `fsync` the gate starts closed: nothing is accepted before Redis was checked once.
    init(required: RedisDurability) {
        refusal = Mutex(required == .write ? nil : "Redis's persistence settings have not been checked yet")
    }

    /// Nil while the requirement is met; otherwise why events are refused.
    var unmetReason: String? { refusal.withLock { $0 } }

    /// Records the latest check; returns whether the verdict changed (for logging transitions once).
    @discardableResult
    func update(_ reason: String?) -> Bool {
        refusal.withLock { current in
            defer { current = reason }
            return current != reason
        }
    }

    /// Why `appendonly`/`appendfsync` as Redis reported them fall short of `required`, or nil.
    static func refusal(required: RedisDurability, appendOnly: String?, appendFsync: String?) -> String? {
        switch required {
        case .write:
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
