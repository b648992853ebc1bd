import SluiceCore
import Synchronization

/// The worker's shared mutable state: the routes snapshot in force, readiness and draining.
final class WorkerState: Sendable {
    private let snapshot: Mutex<WorkerSnapshot>
    private let draining = Atomic<Bool>(false)
    private let groupsReady = Atomic<Bool>(false)

    init(routes: RoutesConfig) {
        self.snapshot = Mutex(WorkerSnapshot(routes: routes))
    }

    /// The snapshot in force now.
    var current: WorkerSnapshot { snapshot.withLock { $0 } }

    /// Swaps in a validated routes file; events routed from now on use it.
    func apply(_ routes: RoutesConfig) {
        let next = WorkerSnapshot(routes: routes)
        snapshot.withLock { $0 = next }
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }

    func startDraining() { draining.store(true, ordering: .relaxed) }

    /// Whether a stage has made sure the consumer groups exist.
    var areGroupsReady: Bool { groupsReady.load(ordering: .relaxed) }

    func markGroupsReady() { groupsReady.store(true, ordering: .relaxed) }
}
