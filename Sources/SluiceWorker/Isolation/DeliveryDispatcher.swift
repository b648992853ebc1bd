import SluiceCore
import SluiceRedis

/// Per-endpoint lanes with bounded queues and `max_in_flight` concurrency (docs/http.md, "The worker's requests").
///
/// A lane runs at most its endpoint's limit at once and queues a bounded number more; a delivery
/// for a full lane is refused (the caller parks it in the retry set), so one slow or hanging
/// endpoint holds only its own lane and never the reader or other endpoints.
/// `occupied` (queued, running, or being recorded, all lanes) is bounded by the process-wide `maxInFlight`.
///
/// `max_in_flight` bounds requests to the endpoint, so a delivery gives its lane's place back as
/// soon as its request has ended (`Perform`'s release), not when its result has been recorded in
/// Redis: that takes a completion batch's round trip, a few milliseconds under load, and an
/// endpoint whose places waited for it got a fraction of the requests its limit allows. The
/// delivery still counts in `occupied` until it is recorded, so the process's room bounds what
/// is held in memory either way.
actor DeliveryDispatcher {
    /// Runs one delivery; calls the release once its request is over (or never, if it made
    /// none: its place is then given back when it returns).
    typealias Perform = @Sendable (DeliveryEntry, _ releaseLane: @escaping @Sendable () async -> Void) async -> Void

    private struct Lane {
        var queue = FIFO()
        var running = 0
        var limit = 1
        var queueCapacity = 0

        enum Admission { case start, queued, refused }

        /// Takes `entry` on under the endpoint's current limits: a free slot runs it, room in the
        /// queue keeps it, else it is refused.
        mutating func admit(_ entry: DeliveryEntry, limit: Int, queueCapacity: Int) -> Admission {
            self.limit = max(1, limit)
            self.queueCapacity = queueCapacity
            if running < self.limit {
                running += 1
                return .start
            }
            guard queue.count < queueCapacity else { return .refused }
            queue.append(entry)
            return .queued
        }
    }

    private enum Waiter {
        case capacity(CheckedContinuation<Void, Never>)
        case idle(CheckedContinuation<Void, Never>)
        case room(Set<EndpointRef>, CheckedContinuation<Void, Never>)
    }

    let maxInFlight: Int
    private let perform: Perform
    private var lanes: [EndpointRef: Lane] = [:]
    private var occupied = 0
    private var stopped = false
    private var tasks: [Int: Task<Void, Never>] = [:]
    /// Running deliveries that gave their lane's place back before they finished.
    private var releasedEarly: Set<Int> = []
    private var waiters: [Int: Waiter] = [:]
    private var abandonedWaiters: Set<Int> = []
    private var nextID = 0

    init(maxInFlight: Int, perform: @escaping Perform) {
        self.maxInFlight = max(1, maxInFlight)
        self.perform = perform
    }

    /// How many more deliveries may be taken on now.
    var freeCapacity: Int { stopped ? 0 : max(0, maxInFlight - occupied) }

    /// Deliveries queued, running, or whose result is being recorded.
    var occupiedCount: Int { occupied }

    /// Takes a delivery on: runs it now if its lane has a free slot, queues it if the lane's queue
    /// has room, else refuses it (returns false).
    func submit(_ entry: DeliveryEntry, limit: Int, queueCapacity: Int) -> Bool {
        guard !stopped else { return false }
        // The lane is found once (its key hashes two strings) and changed in place: copying it
        // out and back would copy its whole queue each time.
        switch lanes[entry.delivery.target, default: Lane()].admit(entry, limit: limit, queueCapacity: queueCapacity) {
        case .start:
            occupied += 1
            start(entry)
            return true
        case .queued:
            occupied += 1
            return true
        case .refused:
            return false
        }
    }

    /// Offers `entries` to their lanes in order, all in one turn of the dispatcher, and returns
    /// the ones refused, in order; `laneSize` gives each endpoint's limit and queue capacity.
    ///
    /// No place frees up during the turn, so once an endpoint's lane refuses a delivery it refuses
    /// the endpoint's later ones too: none can take room that freed up after an earlier one was
    /// refused and go first — with a rate limit also taking a token that delivery's line is owed.
    func submit(
        _ entries: [DeliveryEntry], laneSize: (EndpointRef) -> (limit: Int, queue: Int)
    ) -> [DeliveryEntry] {
        var refused: [DeliveryEntry] = []
        for entry in entries {
            let (limit, queue) = laneSize(entry.delivery.target)
            if !submit(entry, limit: limit, queueCapacity: queue) { refused.append(entry) }
        }
        return refused
    }

    /// Whether every one of `refs`'s lanes would refuse a delivery now (all running, queue full).
    func areFull(_ refs: Set<EndpointRef>) -> Bool {
        !refs.isEmpty && refs.allSatisfy { ref in
            guard let lane = lanes[ref] else { return false }
            return lane.running >= lane.limit && lane.queue.count >= lane.queueCapacity
        }
    }

    /// Stops taking work and hands back the queued deliveries that have not started.
    func stopAccepting() -> [DeliveryEntry] {
        stopped = true
        var queued: [DeliveryEntry] = []
        for ref in Array(lanes.keys) {
            let waiting = lanes[ref]!.queue.removeAll()
            queued += waiting
            occupied -= waiting.count
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

    /// Suspends until one of `refs`'s lanes has started everything it queued, or `timeout` passes.
    ///
    /// The reader calls this after a lane refused deliveries: reading more at once would only
    /// park them too. Waiting for an empty queue, not merely a free place, lets the next read
    /// fill the lane rather than park most of it again, while its running attempts keep it busy.
    /// The timeout bounds how long a stuck lane can hold up reading for the others.
    func waitForRoom(in refs: Set<EndpointRef>, timeout: Duration) async {
        await wait(for: .room(refs), timeout: timeout)
    }

    private enum Condition { case capacity, idle, room(Set<EndpointRef>) }

    private func holds(_ condition: Condition) -> Bool {
        switch condition {
        case .capacity: freeCapacity > 0 || stopped
        case .idle: occupied == 0
        case .room(let refs): stopped || refs.contains { lanes[$0]?.queue.isEmpty ?? true }
        }
    }

    /// With a `timeout`, a timer resumes the waiter if the condition has not by then; the
    /// condition resumes it directly, with no task group in between, so the reader wakes as soon
    /// as the lane has room.
    private func wait(for condition: Condition, timeout: Duration? = nil) async {
        if holds(condition) { return }
        let id = nextID
        nextID += 1
        let timer = timeout.map { timeout in
            Task {
                try? await Task.sleep(for: timeout)
                self.timeOut(id)
            }
        }
        defer { timer?.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if abandonedWaiters.remove(id) != nil {
                    continuation.resume()
                } else {
                    switch condition {
                    case .capacity: waiters[id] = .capacity(continuation)
                    case .idle: waiters[id] = .idle(continuation)
                    case .room(let refs): waiters[id] = .room(refs, continuation)
                    }
                }
            }
        } onCancel: {
            Task { await self.abandonWaiter(id) }
        }
    }

    /// Resumes a waiter whose time is up; a no-op once it was resumed otherwise.
    private func timeOut(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        switch waiter {
        case .capacity(let continuation), .idle(let continuation), .room(_, let continuation): continuation.resume()
        }
    }

    private func abandonWaiter(_ id: Int) {
        if let waiter = waiters.removeValue(forKey: id) {
            switch waiter {
            case .capacity(let continuation), .idle(let continuation), .room(_, let continuation): continuation.resume()
            }
        } else {
            abandonedWaiters.insert(id)
        }
    }

    private func start(_ entry: DeliveryEntry) {
        let id = nextID
        nextID += 1
        let perform = self.perform
        let ref = entry.delivery.target
        tasks[id] = Task {
            await perform(entry) { await self.releaseLane(ref, taskID: id) }
            self.finished(ref, taskID: id)
        }
    }

    /// A running delivery's request is over: its place in the lane goes to the next one queued.
    private func releaseLane(_ ref: EndpointRef, taskID: Int) {
        guard tasks[taskID] != nil, releasedEarly.insert(taskID).inserted else { return }
        freePlace(in: ref)
        wakeWaiters()
    }

    private func finished(_ ref: EndpointRef, taskID: Int) {
        tasks[taskID] = nil
        occupied -= 1
        if releasedEarly.remove(taskID) == nil { freePlace(in: ref) }
        wakeWaiters()
    }

    private func freePlace(in ref: EndpointRef) {
        // Found once, then changed through its index (`start` leaves `lanes` alone, so it stays valid).
        if let index = lanes.index(forKey: ref) {
            lanes.values[index].running -= 1
            while !stopped, lanes.values[index].running < lanes.values[index].limit, let next = lanes.values[index].queue.popFirst() {
                lanes.values[index].running += 1
                start(next)
            }
            if lanes.values[index].running == 0 && lanes.values[index].queue.isEmpty { lanes.remove(at: index) }
        }
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
            case .room(let refs, let continuation) where holds(.room(refs)):
                waiters[id] = nil
                continuation.resume()
            default:
                break
            }
        }
    }
}

/// A first-in-first-out queue with O(1) removal at the front (Array.removeFirst is O(n)).
private struct FIFO {
    private var items: [DeliveryEntry] = []
    private var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ entry: DeliveryEntry) {
        items.append(entry)
    }

    mutating func popFirst() -> DeliveryEntry? {
        guard head < items.count else { return nil }
        let entry = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return entry
    }

    /// Empties the queue and returns what it held, oldest first.
    mutating func removeAll() -> [DeliveryEntry] {
        defer {
            items = []
            head = 0
        }
        return Array(items[head...])
    }
}
