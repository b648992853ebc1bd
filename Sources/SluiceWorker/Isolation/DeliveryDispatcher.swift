import SluiceCore
import SluiceRedis

/// Per-endpoint lanes with bounded queues and `max_in_flight` concurrency (SPEC §5).
///
/// A lane runs at most its endpoint's limit at once and queues a bounded number more; a delivery
/// for a full lane is refused (the caller parks it in the retry set), so one slow or hanging
/// endpoint holds only its own lane and never the reader or other endpoints.
/// `occupied` (queued + running, all lanes) is bounded by the process-wide `maxInFlight`.
actor DeliveryDispatcher {
    typealias Perform = @Sendable (DeliveryEntry) async -> Void

    private struct Lane {
        var queue: [DeliveryEntry] = []
        var running = 0
        var limit = 1
    }

    private enum Waiter {
        case capacity(CheckedContinuation<Void, Never>)
        case idle(CheckedContinuation<Void, Never>)
    }

    let maxInFlight: Int
    private let perform: Perform
    private var lanes: [EndpointRef: Lane] = [:]
    private var occupied = 0
    private var stopped = false
    private var tasks: [Int: Task<Void, Never>] = [:]
    private var waiters: [Int: Waiter] = [:]
    private var abandonedWaiters: Set<Int> = []
    private var nextID = 0

    init(maxInFlight: Int, perform: @escaping Perform) {
        self.maxInFlight = max(1, maxInFlight)
        self.perform = perform
    }

    /// How many more deliveries may be taken on now.
    var freeCapacity: Int { stopped ? 0 : max(0, maxInFlight - occupied) }

    /// Deliveries queued or running.
    var occupiedCount: Int { occupied }

    /// Takes a delivery on: runs it now if its lane has a free slot, queues it if the lane's queue
    /// has room, else refuses it (returns false).
    func submit(_ entry: DeliveryEntry, limit: Int, queueCapacity: Int) -> Bool {
        guard !stopped else { return false }
        let ref = entry.delivery.target
        var lane = lanes[ref] ?? Lane()
        lane.limit = max(1, limit)
        defer { lanes[ref] = lane }
        if lane.running < lane.limit {
            lane.running += 1
            occupied += 1
            start(entry)
            return true
        }
        guard lane.queue.count < queueCapacity else { return false }
        lane.queue.append(entry)
        occupied += 1
        return true
    }

    /// Stops taking work and hands back the queued deliveries that have not started.
    func stopAccepting() -> [DeliveryEntry] {
        stopped = true
        var queued: [DeliveryEntry] = []
        for (ref, var lane) in lanes {
            queued += lane.queue
            occupied -= lane.queue.count
            lane.queue = []
            lanes[ref] = lane
        }
        wakeWaiters()
        return queued
    }

    /// Cancels every running delivery (their requests are abandoned and the entries stay pending).
    func cancelRunning() {
        for task in tasks.values { task.cancel() }
    }

    /// Suspends until a delivery may be taken on (or the dispatcher stopped); ends early when cancelled.
    func waitForCapacity() async {
        await wait(for: .capacity)
    }

    /// Suspends until nothing is queued or running; ends early when cancelled.
    func waitUntilIdle() async {
        await wait(for: .idle)
    }

    private enum Condition { case capacity, idle }

    private func holds(_ condition: Condition) -> Bool {
        switch condition {
        case .capacity: freeCapacity > 0 || stopped
        case .idle: occupied == 0
        }
    }

    private func wait(for condition: Condition) async {
        if holds(condition) { return }
        let id = nextID
        nextID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if abandonedWaiters.remove(id) != nil {
                    continuation.resume()
                } else {
                    waiters[id] = condition == .capacity ? .capacity(continuation) : .idle(continuation)
                }
            }
        } onCancel: {
            Task { await self.abandonWaiter(id) }
        }
    }

    private func abandonWaiter(_ id: Int) {
        if let waiter = waiters.removeValue(forKey: id) {
            switch waiter {
            case .capacity(let continuation), .idle(let continuation): continuation.resume()
            }
        } else {
            abandonedWaiters.insert(id)
        }
    }

    private func start(_ entry: DeliveryEntry) {
        let id = nextID
        nextID += 1
        let perform = self.perform
        tasks[id] = Task {
            await perform(entry)
            self.finished(entry.delivery.target, taskID: id)
        }
    }

    private func finished(_ ref: EndpointRef, taskID: Int) {
        tasks[taskID] = nil
        occupied -= 1
        if var lane = lanes[ref] {
            lane.running -= 1
            while !stopped, lane.running < lane.limit, !lane.queue.isEmpty {
                let next = lane.queue.removeFirst()
                lane.running += 1
                start(next)
            }
            lanes[ref] = lane.running == 0 && lane.queue.isEmpty ? nil : lane
        }
        wakeWaiters()
    }

    private func wakeWaiters() {
        for (id, waiter) in waiters {
            switch waiter {
            case .capacity(let continuation) where holds(.capacity):
                waiters[id] = nil
                continuation.resume()
            case .idle(let continuation) where holds(.idle):
                waiters[id] = nil
                continuation.resume()
            default:
                break
            }
        }
    }
}
