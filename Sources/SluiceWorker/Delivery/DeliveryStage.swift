import Foundation
import CoreMetrics
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceRedis

/// Claims deliveries and hands them to per-endpoint lanes.
///
/// Reads every partition's deliveries stream (one reader each, all feeding the same lanes) in
/// the `delivery` consumer group whenever the process has room (`maxInFlight`), and periodically claims deliveries a dead worker left pending longer than
/// the visibility timeout. What a full lane cannot take waits apart from the reader, in the
/// dispatcher's overflow, until the lane takes it or it goes to the endpoint's waiting line, so
/// no endpoint holds up the reader and, with it, the deliveries for every other endpoint.
///
/// On graceful shutdown it stops reading, parks what was queued but not started (so another
/// worker takes it at once), lets running attempts finish within `shutdownGrace`, then abandons
/// the rest, which stay pending and are reclaimed.
struct DeliveryStage: Service {
    let state: WorkerState
    let stores: WorkerStores
    let executor: DeliveryExecutor
    let dispatcher: DeliveryDispatcher
    let consumer: String
    let shutdownGrace: Duration
    let logger: Logger
    let clock: @Sendable () -> Date
    let factory: any MetricsFactory
    var batchSize = 256
    var block: Duration = .seconds(1)
    var claimInterval: Duration = .seconds(5)
    /// How often the stage looks for partitions added while it runs.
    var partitionPoll: Duration = .seconds(1)

    init(
        state: WorkerState, stores: WorkerStores, executor: DeliveryExecutor, maxInFlight: Int, overflowWait: Duration,
        overflowResidency: Duration, consumer: String,
        shutdownGrace: Duration, logger: Logger, clock: @escaping @Sendable () -> Date, factory: any MetricsFactory
    ) {
        self.factory = factory
        self.state = state
        self.stores = stores
        self.executor = executor
        self.dispatcher = DeliveryDispatcher(
            maxInFlight: maxInFlight, overflowWait: overflowWait, maxResidency: overflowResidency,
            perform: { entry, releaseLane in await executor.deliver(entry, releaseLane: releaseLane) },
            // A full lane drains in moments: its overflow waits, but later deliveries still try the lane.
            toLine: { entries in
                await executor.waitAll(entries, until: clock().unixMillis + Self.fullLaneWait.wholeMilliseconds)
            },
            lineIsActive: { ref in executor.lines.isActive(ref, nowMillis: clock().unixMillis) })
        self.consumer = consumer
        self.shutdownGrace = shutdownGrace
        self.logger = logger
        self.clock = clock
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            var started = 0
            while true {
                while started < stores.count {
                    let store = stores.deliveryStore(started)
                    group.addTask { await readLoop(store) }
                    started += 1
                }
                if isStopping { break }
                await sleepUnlessShuttingDown(for: partitionPoll)
            }
        }
        await drain()
        await executor.withdrawCircuitReports()
    }

    /// Reads one partition's deliveries until shutdown.
    private func readLoop(_ store: WorkerStore) async {
        await store.ensureGroupsRetrying(state: state, logger: logger)
        let undecodable = UndecodableEntries(store: store, logger: logger, factory: factory)
        var nextClaim = ContinuousClock.now
        var outage = OutageLog(
            failing: "delivery stage cannot read the deliveries stream", resumed: "delivery stage reading the deliveries stream again")
        let partition: Logger.Metadata = ["partition": "\(store.keyspace.partition)"]
        var sized = state.current
        while !isStopping {
            // A reload's new lane sizes reach the lanes within a read, deliveries arriving or not.
            if state.current !== sized {
                sized = state.current
                await resizeLanes(for: sized)
            }
            let free = await dispatcher.freeCapacity
            if free == 0 {
                _ = await cancelWhenGracefulShutdown { [dispatcher] in await dispatcher.waitForCapacity() }
                continue
            }
            do {
                // Readers share the room: each takes its part, so together they do not over-read.
                let count = min(max(1, free / stores.count), batchSize)
                var batch = DeliveryBatch()
                if ContinuousClock.now >= nextClaim {
                    nextClaim = ContinuousClock.now + claimInterval
                    batch = try await store.claimStaleDeliveryBatch(
                        consumer: consumer, minIdle: state.current.routes.worker.visibilityTimeout, count: count)
                }
                if batch.entries.isEmpty && batch.undecodable.isEmpty {
                    batch = try await store.readDeliveryBatch(consumer: consumer, count: count, block: block)
                }
                outage.succeeded(logger: logger, metadata: partition)
                await undecodable.deadLetter(batch.undecodable, from: .deliveries, nowMillis: clock().unixMillis)
                // Each partition's reader hands its batch on by itself: the dispatcher takes a batch
                // in one turn of its own, and what a full lane refuses joins the endpoint's
                // overflow whichever reader brought it, so no reader waits on another's line write.
                let backlogged = await dispatch(batch.entries, full: batch.entries.count >= count)
                if !backlogged.isEmpty {
                    _ = await cancelWhenGracefulShutdown { [dispatcher] in
                        await dispatcher.waitForOverflows(backlogged, timeout: dispatcher.overflowWait)
                    }
                }
            } catch {
                outage.failed(error, logger: logger, metadata: partition)
                await sleepUnlessShuttingDown(for: .milliseconds(500))
            }
        }
    }

    /// Hands entries to their lanes, or to their endpoint's waiting line when it holds others.
    /// `full`: the batch is as large as was asked for, so the stream may hold more right behind it.
    /// Returns the endpoints whose overflow the reader should let drain before it reads on.
    private func dispatch(_ entries: [DeliveryEntry], full: Bool) async -> Set<EndpointRef> {
        guard !entries.isEmpty else { return [] }
        let snapshot = state.current
        // Released deliveries (their turn in a line came) are offered first: every other delivery
        // for their endpoint in this batch came after them, even one the router added to the
        // stream before the line let them out behind it.
        let ordered = entries.filter(\.delivery.released) + entries.filter { !$0.delivery.released }
        // What a lane refuses waits in the dispatcher's overflow, apart from this reader. What is
        // handed back joins its endpoint's line at once, all in one script call: the line holds
        // others (so it would only be refused a token), or the dispatcher has stopped.
        let submission = await submit(ordered, snapshot: snapshot)
        // The line's own schedule (its next token, or a lane's worth soon) stays in force unless
        // later. Not remembered anew (`waitAll`): these went to the line only because it was
        // remembered, and renewing the memory with them would keep it as long as deliveries keep
        // coming, every one of them then making a trip through the line long after it emptied. A
        // delivery the endpoint cannot take (no token, an open circuit) renews it.
        await executor.waitAll(submission.forLine, until: clock().unixMillis + Self.fullLaneWait.wholeMilliseconds)
        // A full batch all for endpoints whose lanes overflowed is most likely a backlog of theirs:
        // leave the rest on the stream until their lanes take what they hold, instead of reading
        // it only to send it to the line. Not after a partial batch (nothing more to hold back)
        // or one with deliveries for any other endpoint: the next batch may hold more of those,
        // and they go on.
        return full && submission.onlyForOverflowed && submission.forLine.isEmpty ? submission.overflowed : []
    }

    /// How long a full lane's overflow waits in the endpoint's line before some of it is released.
    static let fullLaneWait = Duration.milliseconds(250)

    private func resizeLanes(for snapshot: WorkerSnapshot) async {
        let maxInFlight = dispatcher.maxInFlight
        await dispatcher.resize { Self.laneSize(for: $0, in: snapshot, maxInFlight: maxInFlight) }
    }

    /// Offers each entry to its lane, in order and in one turn of the dispatcher.
    private func submit(_ entries: [DeliveryEntry], snapshot: WorkerSnapshot) async -> DeliveryDispatcher.Submission {
        let maxInFlight = dispatcher.maxInFlight
        return await dispatcher.submit(entries) { Self.laneSize(for: $0, in: snapshot, maxInFlight: maxInFlight) }
    }

    /// How many attempts an endpoint runs at once and how many more may wait in its queue.
    ///
    /// A queued delivery is still pending in Redis, and one pending past the visibility timeout is
    /// reclaimed by another worker; so the queue holds only as many rounds as fit in that slack
    /// even if every attempt takes the full endpoint timeout. One endpoint's queue is also capped at
    /// a quarter of the process's room, so a few stuck endpoints cannot fill it.
    static func laneSize(for ref: EndpointRef, in snapshot: WorkerSnapshot, maxInFlight: Int) -> (limit: Int, queue: Int) {
        guard let endpoint = snapshot.routes.endpoint(ref) else { return (1, 16) }
        return LaneSizing.lane(
            maxInFlight: endpoint.maxInFlight, timeout: endpoint.timeout, visibility: snapshot.routes.worker.visibilityTimeout,
            processRoom: maxInFlight, lookup: !snapshot.endpointsWithoutLookup.contains(ref))
    }

    private func park(_ entries: [DeliveryEntry], afterMillis delay: Int64) async {
        guard !entries.isEmpty else { return }
        let due = clock().unixMillis + delay
        await withDiscardingTaskGroup { group in
            for entry in entries {
                group.addTask { await executor.park(entry, until: due) }
            }
        }
    }

    private func drain() async {
        let queued = await dispatcher.stopAccepting()
        await park(queued, afterMillis: 0)
        let running = await dispatcher.occupiedCount
        guard running > 0 else { return }
        logger.info(
            "draining in-flight deliveries",
            metadata: ["in_flight": "\(running)", "handed_back": "\(queued.count)", "grace": "\(shutdownGrace.logText)"])
        let started = ContinuousClock.now
        let drained = await withTaskGroup(of: Bool.self) { group in
            group.addTask { [dispatcher] in
                await dispatcher.waitUntilIdle()
                return !Task.isCancelled
            }
            group.addTask { [shutdownGrace] in
                try? await Task.sleep(for: shutdownGrace)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if drained {
            logger.info("in-flight deliveries finished", metadata: ["count": "\(running)", "after": "\((ContinuousClock.now - started).logText)"])
        } else {
            let abandoned = await dispatcher.occupiedCount
            logger.warning(
                "shutdown grace elapsed; abandoning in-flight deliveries: they stay pending and are sent again once another worker reclaims them after worker.visibility_timeout, so an endpoint that had already answered gets them twice",
                metadata: ["abandoned": "\(abandoned)", "grace": "\(shutdownGrace.logText)"])
            await dispatcher.cancelRunning()
            await dispatcher.waitUntilIdle()
        }
    }
}
