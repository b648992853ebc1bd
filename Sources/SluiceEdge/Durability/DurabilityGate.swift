import CoreMetrics
import SluiceCore
import Synchronization

/// Whether Redis currently gives the durability that `redis.durability` asks for.
///
/// `DurabilityMonitor` updates it; `/readyz` and every webhook call read it, so reading is one
/// atomic load while the requirement is met (the common case) and no Redis round trip.
final class DurabilityGate: Sendable {
    private let refusal: Mutex<String?>
    private let met: Atomic<Bool>
    /// `sluice_edge_accepting`: 1 while the gate is open and Redis answered the last check. An
    /// edge that refuses is also unready, so the calls stop reaching it and no refusal is counted;
    /// this says so all the same. With `durability: none` the gate stays open, but an edge whose
    /// Redis is unreachable accepts nothing either (and is unready).
    private let accepting: Gauge

    /// Unless durability is `none` the gate starts closed: nothing is accepted before Redis was checked once.
    init(required: RedisDurability, factory: any MetricsFactory) {
        let initial: String? = required == .none ? nil : "Redis's persistence settings have not been checked yet"
        refusal = Mutex(initial)
        met = Atomic(initial == nil)
        accepting = Gauge(label: "sluice_edge_accepting", dimensions: [], factory: factory)
        accepting.record(initial == nil ? 1 : 0)
    }

    /// Nil while the requirement is met; otherwise why events are refused.
    var unmetReason: String? {
        if met.load(ordering: .acquiring) { return nil }
        return refusal.withLock { $0 }
    }

    /// Records the latest check; returns whether the verdict changed (for logging transitions once).
    /// `reachable`: whether Redis answered it.
    @discardableResult
    func update(_ reason: String?, reachable: Bool = true) -> Bool {
        refusal.withLock { current in
            defer {
                current = reason
                met.store(reason == nil, ordering: .releasing)
                accepting.record(reason == nil && reachable ? 1 : 0)
            }
            return current != reason
        }
    }
}
