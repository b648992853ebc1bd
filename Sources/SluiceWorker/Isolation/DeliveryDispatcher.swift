import SluiceCore
import SluiceRedis

/// Per-endpoint lanes with bounded queues and `max_in_flight` concurrency (docs/http.md, "The worker's requests").
///
/// A lane runs at most its endpoint's limit at once and queues a bounded number more. What a
/// full lane cannot take becomes the endpoint's overflow, with the endpoint's later deliveries
/// joining behind it: it goes into the lane, in order, as the lane drains, off the reader's path.
/// A lane that takes none of it for `overflowWait`, an overflow grown past a lane's worth, or a
/// delivery in it for longer than `maxResidency` (lane sizing leaves a delivery's visibility
/// timeout room for that much) sends it to the endpoint's waiting line (`toLine`). So one slow or rate-limited endpoint holds
/// only its own lane and at most a lane's worth more, and never the reader that feeds every
/// other endpoint.
/// `occupied` (queued, running, being recorded or in an overflow, all lanes) is bounded by the
/// process-wide `maxInFlight`.
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
    /// Puts an overflow's deliveries that its lane still cannot take in their endpoint's waiting line.
    typealias ToLine = @Sendable ([DeliveryEntry]) async -> Void
    /// Whether the endpoint's waiting line holds deliveries that came before (`WaitingLineMemory`).
    typealias LineIsActive = @Sendable (EndpointRef) -> Bool

    private struct Lane {
        var queue = FIFO()
        var running = 0
        var limit = 1
        var queueCapacity = 0

        enum Admission { case start, queued, refused }

        /// Takes `entry` on under the endpoint's current limits: a free slot runs it, room in the
        /// queue keeps it, else it is refused. Queued deliveries came first: when a raised limit
        /// (a reload) frees slots, they take them (`promoted`, to start before `entry`) and
        /// `entry` joins the queue behind what is left.
        mutating func admit(_ entry: DeliveryEntry, limit: Int, queueCapacity: Int, promoted: inout [DeliveryEntry]) -> Admission {
            resize(limit: limit, queueCapacity: queueCapacity, promoted: &promoted)
            if running < self.limit {
                running += 1
                return .start
            }
            guard queue.count < queueCapacity else { return .refused }
            queue.append(entry)
            return .queued
        }

        /// Takes on the endpoint's current limits; queued deliveries that a raised limit lets
        /// start go to `promoted`, oldest first.
        mutating func resize(limit: Int, queueCapacity: Int, promoted: inout [DeliveryEntry]) {
            self.limit = max(1, limit)
            self.queueCapacity = queueCapacity
            while let next = nextToStart() { promoted.append(next) }
        }

        /// Takes out the newest queued deliveries that a lowered queue capacity no longer holds,
        /// oldest first.
        mutating func removeExcess() -> [DeliveryEntry] {
            queue.removeLast(max(0, queue.count - queueCapacity))
        }

        /// The oldest queued delivery, taking a place for it, when a place is free.
        mutating func nextToStart() -> DeliveryEntry? {
            guard running < limit, let next = queue.popFirst() else { return nil }
            running += 1
            return next
        }

        /// Whether an overflow offered now would find room: everything queued has started, and
        /// there is a queue to take more (else a free slot).
        var hasRoomForOverflow: Bool {
            queue.isEmpty && (queueCapacity > 0 || running < limit)
        }
    }

    /// An endpoint's deliveries that its full lane refused, oldest first, and the lane's size
    /// when they were offered. Present while the endpoint's overflow task runs.
    private struct Overflow {
        var entries: [DeliveryEntry]
        /// When each of `entries` joined.
        var joined: [ContinuousClock.Instant]
        var limit: Int
        var queueCapacity: Int

        init(_ entries: [DeliveryEntry], limit: Int, queueCapacity: Int) {
            self.entries = entries
            joined = Array(repeating: .now, count: entries.count)
            self.limit = limit
            self.queueCapacity = queueCapacity
        }

        /// Behind the others, but a released delivery (its turn in the line came) goes ahead of
        /// every one that is not.
        mutating func add(_ entry: DeliveryEntry) {
            let index = entry.delivery.released ? (entries.firstIndex { !$0.delivery.released } ?? entries.count) : entries.count
            entries.insert(entry, at: index)
            joined.insert(.now, at: index)
        }

        /// Ahead of every delivery in it: they came from the lane's queue, before all of these.
        mutating func prepend(_ earlier: [DeliveryEntry]) {
            entries.insert(contentsOf: earlier, at: 0)
            joined.insert(contentsOf: Array(repeating: ContinuousClock.now, count: earlier.count), at: 0)
        }

        /// Drops the first `count`, which the lane took.
        mutating func removeFirst(_ count: Int) {
            entries.removeFirst(count)
            joined.removeFirst(count)
        }

        /// Takes every delivery in it, oldest first, leaving it empty.
        mutating func removeAll() -> [DeliveryEntry] {
            defer {
                entries = []
                joined = []
            }
            return entries
        }

        /// When the delivery that has waited longest joined (`joined` is not in time order once a
        /// released delivery went ahead).
        var oldest: ContinuousClock.Instant? { joined.min() }

        /// More than a lane's worth: what the lane cannot take on its next round waits in the
        /// line rather than in the worker's room, which every endpoint shares.
        var isOverLimit: Bool { entries.count > limit + queueCapacity }
    }

    /// What `submit` did with a batch.
    struct Submission {
        /// Deliveries to put in their endpoint's waiting line at once (see `submit`).
        var forLine: [DeliveryEntry] = []
        /// How many went into a lane (started or queued).
        var intoLanes = 0
        /// The endpoints whose overflow took some of the batch.
        var overflowed: Set<EndpointRef> = []
        /// Whether the whole batch was for those endpoints (the part their lanes took included).
        var onlyForOverflowed = false
    }

    /// A suspended caller of `wait(for:timeout:)`, resumed once its condition holds.
    private struct Waiter {
        let condition: Condition
        let continuation: CheckedContinuation<Void, Never>
    }

    let maxInFlight: Int
    /// How long an overflow waits for its lane to drain before what still does not fit goes to the line.
    let overflowWait: Duration
    /// The longest a delivery stays in an overflow, however the lane drains.
    let maxResidency: Duration
    private let perform: Perform
    private let toLine: ToLine
    private let lineIsActive: LineIsActive
    private var lanes: [EndpointRef: Lane] = [:]
    private var overflows: [EndpointRef: Overflow] = [:]
    private var overflowTasks: [Int: Task<Void, Never>] = [:]
    private var occupied = 0
    private var stopped = false
    private var tasks: [Int: Task<Void, Never>] = [:]
    /// Running deliveries that gave their lane's place back before they finished.
    private var releasedEarly: Set<Int> = []
    private var waiters: [Int: Waiter] = [:]
    private var abandonedWaiters: Set<Int> = []
    private var nextID = 0

    init(
        maxInFlight: Int, overflowWait: Duration = .milliseconds(100), maxResidency: Duration = .seconds(1),
        perform: @escaping Perform, toLine: @escaping ToLine, lineIsActive: @escaping LineIsActive = { _ in false }
    ) {
        self.maxInFlight = max(1, maxInFlight)
        self.overflowWait = overflowWait
        self.maxResidency = maxResidency
        self.perform = perform
        self.toLine = toLine
        self.lineIsActive = lineIsActive
    }

    /// How many more deliveries may be taken on now.
    var freeCapacity: Int { stopped ? 0 : max(0, maxInFlight - occupied) }

    /// Deliveries queued, running, whose result is being recorded, or in an overflow.
    var occupiedCount: Int { occupied }

    /// Offers `entries` to their lanes in order, all in one turn of the dispatcher; `laneSize`
    /// gives each endpoint's limit and queue capacity. A delivery its lane refuses starts the
    /// endpoint's overflow, and the endpoint's later deliveries, in this batch or a later one,
    /// join the overflow behind it rather than take room that frees up meanwhile: none goes
    /// first — with a rate limit also taking a token that delivery's line is owed.
    ///
    /// The submission's `forLine` holds the deliveries to put in their endpoint's waiting line at
    /// once: those (but for released ones, whose turn came) for an endpoint whose line holds
    /// others and that has no overflow; and everything once the dispatcher has stopped.
    func submit(_ entries: [DeliveryEntry], laneSize: (EndpointRef) -> (limit: Int, queue: Int)) -> Submission {
        guard !stopped else { return Submission(forLine: entries) }
        var submission = Submission()
        var overLimit = false
        var promoted: [DeliveryEntry] = []
        for entry in entries {
            let ref = entry.delivery.target
            // Found once and changed in place, like a lane (see below).
            if let index = overflows.index(forKey: ref) {
                occupied += 1
                // The lane's size as of now: routes.yaml may have been reloaded since the overflow began.
                let (limit, queue) = laneSize(ref)
                overflows.values[index].limit = limit
                overflows.values[index].queueCapacity = queue
                overflows.values[index].add(entry)
                submission.overflowed.insert(ref)
                overLimit = overLimit || overflows.values[index].isOverLimit
                continue
            }
            if !entry.delivery.released && lineIsActive(ref) {
                submission.forLine.append(entry)
                continue
            }
            occupied += 1
            let (limit, queue) = laneSize(ref)
            // The lane is found once (its key hashes two strings) and changed in place: copying it
            // out and back would copy its whole queue each time.
            let admission = lanes[ref, default: Lane()].admit(entry, limit: limit, queueCapacity: queue, promoted: &promoted)
            startPromoted(&promoted)
            switch admission {
            case .start:
                start(entry)
                submission.intoLanes += 1
            case .queued:
                submission.intoLanes += 1
            case .refused:
                overflows[ref] = Overflow([entry], limit: limit, queueCapacity: queue)
                submission.overflowed.insert(ref)
                startOverflow(ref)
            }
        }
        // An overflow past a lane's worth goes to the line now, not when its wait is over.
        if overLimit { wakeWaiters() }
        submission.onlyForOverflowed =
            !submission.overflowed.isEmpty && entries.allSatisfy { submission.overflowed.contains($0.delivery.target) }
        return submission
    }

    /// Applies new lane sizes (routes.yaml was reloaded) to every lane and overflow at once: a
    /// raised limit starts queued deliveries now, rather than when the endpoint's next delivery
    /// arrives — which, for an endpoint with nothing new, may be never while its queue drains at
    /// the old limit.
    ///
    /// A lowered one (a smaller `max_in_flight`, a shorter visibility timeout) leaves a queue
    /// longer than the lane's sizing allows: its last deliveries would start after another worker
    /// may have reclaimed them, and be sent twice. What no longer fits goes to the front of the
    /// endpoint's overflow, which hands it to the waiting line unless the lane takes it in time.
    func resize(laneSize: (EndpointRef) -> (limit: Int, queue: Int)) {
        guard !stopped else { return }
        var promoted: [DeliveryEntry] = []
        var excess: [EndpointRef: [DeliveryEntry]] = [:]
        for index in lanes.indices {
            let (limit, queue) = laneSize(lanes.keys[index])
            lanes.values[index].resize(limit: limit, queueCapacity: queue, promoted: &promoted)
            startPromoted(&promoted)
            let removed = lanes.values[index].removeExcess()
            if !removed.isEmpty { excess[lanes.keys[index]] = removed }
        }
        for index in overflows.indices {
            let (limit, queue) = laneSize(overflows.keys[index])
            overflows.values[index].limit = limit
            overflows.values[index].queueCapacity = queue
        }
        for (ref, entries) in excess {
            if overflows[ref] != nil {
                overflows[ref]!.prepend(entries)
            } else {
                let (limit, queue) = laneSize(ref)
                overflows[ref] = Overflow(entries, limit: limit, queueCapacity: queue)
                startOverflow(ref)
            }
        }
        wakeWaiters()
    }

    /// Suspends until one of `refs` has no overflow any more (its lane took it, or the line), or
    /// `timeout` passes; ends early when cancelled.
    ///
    /// The reader calls this after a full batch all for endpoints whose lanes overflowed: the
    /// stream most likely holds more of the same, and reading it now would only send it to the
    /// line (a Redis write and a release later) instead of leaving it on the stream until the
    /// lane has room.
    func waitForOverflows(_ refs: Set<EndpointRef>, timeout: Duration) async {
        await wait(for: .overflowGone(refs), timeout: timeout)
    }

    /// Stops taking work and hands back the deliveries that have not started (queued or in an overflow).
    func stopAccepting() -> [DeliveryEntry] {
        stopped = true
        var queued: [DeliveryEntry] = []
        for ref in Array(lanes.keys) {
            let waiting = lanes[ref]!.queue.removeAll()
            queued += waiting
            occupied -= waiting.count
        }
        for overflow in overflows.values {
            queued += overflow.entries
            occupied -= overflow.entries.count
        }
        overflows = [:]
        wakeWaiters()
        return queued
    }

    /// Cancels every running delivery (their requests are abandoned and the entries stay pending).
    func cancelRunning() {
        for task in tasks.values { task.cancel() }
        for task in overflowTasks.values { task.cancel() }
    }

    /// Suspends until a delivery may be taken on (or the dispatcher stopped); ends early when cancelled.
    func waitForCapacity() async {
        await wait(for: .capacity)
    }

    /// Suspends until nothing is queued or running; ends early when cancelled.
    func waitUntilIdle() async {
        await wait(for: .idle)
    }

    private enum Condition { case capacity, idle, room(EndpointRef), overflowGone(Set<EndpointRef>) }

    private func holds(_ condition: Condition) -> Bool {
        switch condition {
        case .capacity: freeCapacity > 0 || stopped
        case .idle: occupied == 0
        case .room(let ref): stopped || overflows[ref]?.isOverLimit == true || lanes[ref].map(\.hasRoomForOverflow) ?? true
        case .overflowGone(let refs): stopped || refs.contains { overflows[$0] == nil }
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
                    waiters[id] = Waiter(condition: condition, continuation: continuation)
                }
            }
        } onCancel: {
            Task { await self.abandonWaiter(id) }
        }
    }

    /// Resumes a waiter whose time is up; a no-op once it was resumed otherwise.
    private func timeOut(_ id: Int) {
        waiters.removeValue(forKey: id)?.continuation.resume()
    }

    private func abandonWaiter(_ id: Int) {
        if let waiter = waiters.removeValue(forKey: id) {
            waiter.continuation.resume()
        } else {
            abandonedWaiters.insert(id)
        }
    }

    private func startOverflow(_ ref: EndpointRef) {
        let id = nextID
        nextID += 1
        overflowTasks[id] = Task {
            await self.settleOverflow(ref)
            self.overflowTasks[id] = nil
        }
    }

    /// Offers the overflow to `ref`'s lane, in order, whenever the lane has room, until the lane
    /// has taken it all. Sends what is left to the endpoint's waiting line when the lane took none
    /// of it for `overflowWait` (a stuck lane's overflow waits in Redis, not in memory), when the
    /// overflow grew past a lane's worth, when its oldest delivery has been in it for
    /// `maxResidency`, or — all of it — when the endpoint's line came to hold others (its tokens
    /// ran out, say). Deliveries that join meanwhile get the same.
    private func settleOverflow(_ ref: EndpointRef) async {
        var promoted: [DeliveryEntry] = []
        while true {
            // No longer than the oldest delivery in it may still stay, however long the wait.
            let residencyLeft = overflows[ref]?.oldest.map { maxResidency - (ContinuousClock.now - $0) } ?? overflowWait
            await wait(for: .room(ref), timeout: max(.zero, min(overflowWait, residencyLeft)))
            // Gone once the dispatcher stopped: `stopAccepting` handed the overflow back.
            guard let overflow = overflows[ref] else { return }
            var admitted = 0
            if !lineIsActive(ref) {
                admission: for entry in overflow.entries {
                    let admission = lanes[ref, default: Lane()].admit(
                        entry, limit: overflow.limit, queueCapacity: overflow.queueCapacity, promoted: &promoted)
                    startPromoted(&promoted)
                    switch admission {
                    case .start: start(entry)
                    case .queued: break
                    case .refused: break admission
                    }
                    admitted += 1
                }
            }
            guard admitted < overflow.entries.count else {
                overflows[ref] = nil
                wakeWaiters()
                return
            }
            overflows[ref]?.removeFirst(admitted)
            // A lane that took some is draining: the rest waits for its next room, unless it has
            // waited long enough (lane sizing counts on a delivery starting in time).
            if let rest = overflows[ref], admitted > 0, !rest.isOverLimit, let oldest = rest.oldest,
                ContinuousClock.now - oldest < maxResidency
            {
                continue
            }
            // Deliveries that join while the line is written wait for the next round.
            let rest = overflows[ref]?.removeAll() ?? []
            await toLine(rest)
            occupied -= rest.count
            let joined = overflows[ref]?.entries.isEmpty == false
            if !joined { overflows[ref] = nil }
            wakeWaiters()
            if !joined { return }
        }
    }

    /// Starts the queued deliveries a raised limit let into their lane (`Lane.admit`), oldest first.
    private func startPromoted(_ promoted: inout [DeliveryEntry]) {
        guard !promoted.isEmpty else { return }
        for entry in promoted { start(entry) }
        promoted.removeAll(keepingCapacity: true)
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
            while !stopped, let next = lanes.values[index].nextToStart() { start(next) }
            if lanes.values[index].running == 0 && lanes.values[index].queue.isEmpty { lanes.remove(at: index) }
        }
    }

    private func wakeWaiters() {
        for (id, waiter) in waiters where holds(waiter.condition) {
            waiters[id] = nil
            waiter.continuation.resume()
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

    /// Removes the newest `count` (at most all) and returns them, oldest first.
    mutating func removeLast(_ count: Int) -> [DeliveryEntry] {
        let count = min(count, self.count)
        guard count > 0 else { return [] }
        let removed = Array(items.suffix(count))
        items.removeLast(count)
        return removed
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
