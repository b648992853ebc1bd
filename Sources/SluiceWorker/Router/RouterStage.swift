import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceRedis

/// Expands each ingress event into one delivery per endpoint that routes.yaml chooses (docs/routes.md).
///
/// Reads the ingress stream in the `router` consumer group and, every few seconds, claims
/// entries a dead router left pending. Each entry is routed with the routes snapshot in force
/// at that moment; the store writes the deliveries (or the `no_route` dead letter) and
/// acknowledges the entry in the same script, so a crash never loses or doubles an expansion.
/// One script call carries a whole batch of entries (each with its own guard).
struct RouterStage: Service {
    let state: WorkerState
    let store: WorkerStore
    let consumer: String
    let logger: Logger
    let clock: @Sendable () -> Date
    let undecodable: UndecodableEntries
    let deadLetters: DeadLetterMetrics
    var batchSize = 256
    var block: Duration = .seconds(1)
    var claimInterval: Duration = .seconds(5)
    /// Deliveries (and dead letters) written by one route script call at most, and bytes of
    /// arguments: a script holds Redis for its whole run, so a batch of wide fan-outs or large
    /// bodies is split into several calls (`ScriptChunks`).
    var maxDeliveriesPerScript = 512
    var maxBytesPerScript = ScriptChunks.maxBytes

    func run() async throws {
        await store.ensureGroupsRetrying(state: state, logger: logger)
        var nextClaim = ContinuousClock.now
        var outage = OutageLog(failing: "router stage cannot read the ingress stream", resumed: "router stage reading the ingress stream again")
        var writes = OutageLog(
            failing: "router stage cannot write routed events to Redis; holding them, in order, before reading further",
            resumed: "router stage writing routed events again")
        let partition: Logger.Metadata = ["partition": "\(store.keyspace.partition)"]
        // Entries whose write Redis does not take (down, timing out, refusing writes) beyond the
        // write's own brief retries go again before anything newer is read: read on, and the
        // events after them would reach their endpoints first while they wait a whole visibility
        // timeout to be reclaimed. Held longer than that, they are left to the reclaim after all,
        // so a batch that fails for a reason of its own does not stop the partition's routing.
        var held: [IngressEntry] = []
        var heldSince = ContinuousClock.now
        func hold(_ entries: [IngressEntry]) {
            if held.isEmpty { heldSince = .now }
            held = entries
        }
        while !isStopping {
            if !held.isEmpty {
                let visibility = state.current.routes.worker.visibilityTimeout
                if ContinuousClock.now - heldSince > visibility {
                    logger.warning(
                        "routed events held longer than worker.visibility_timeout; leaving them pending for the reclaim and reading on",
                        metadata: partition.merging(["events": "\(held.count)", "visibility_timeout": "\(visibility.logText)"]) { $1 })
                    held = []
                    continue
                }
                await sleepUnlessShuttingDown(for: .milliseconds(500))
                guard !isStopping else { break }
                hold(await routeOrHold(held, writes: &writes, metadata: partition))
                continue
            }
            do {
                if ContinuousClock.now >= nextClaim {
                    nextClaim = ContinuousClock.now + claimInterval
                    let stale = try await store.claimStaleIngress(
                        consumer: consumer, minIdle: state.current.routes.worker.visibilityTimeout, count: batchSize)
                    hold(await routeOrHold(stale, writes: &writes, metadata: partition))
                    if !held.isEmpty { continue }
                }
                guard !isStopping else { break }
                let entries = try await store.readIngress(consumer: consumer, count: batchSize, block: block)
                outage.succeeded(logger: logger, metadata: partition)
                // Entries read after shutdown began are routed anyway: routing is one quick script,
                // and leaving them pending would delay them by a whole visibility timeout.
                hold(await routeOrHold(entries, writes: &writes, metadata: partition))
            } catch {
                outage.failed(error, logger: logger, metadata: partition)
                await sleepUnlessShuttingDown(for: .milliseconds(500))
            }
        }
        if !held.isEmpty {
            logger.warning(
                "shutting down with routed events Redis did not take; they stay pending and are routed once reclaimed after worker.visibility_timeout",
                metadata: partition.merging(["events": "\(held.count)"]) { $1 })
        }
    }

    /// Routes `entries` and returns those to hold (see `run`), logging through `writes`.
    private func routeOrHold(_ entries: [IngressEntry], writes: inout OutageLog, metadata: Logger.Metadata) async -> [IngressEntry] {
        guard !entries.isEmpty else { return [] }
        let outcome = await route(entries)
        if let error = outcome.error {
            writes.failed(error, logger: logger, metadata: metadata.merging(["events": "\(outcome.held.count)"]) { $1 })
        } else if outcome.written {
            writes.succeeded(logger: logger, metadata: metadata)
        }
        return outcome.held
    }

    /// Routes a batch: matches every event, then writes the expansions in as few script calls as
    /// the per-call cap allows (sent together, so they share a round trip). Returns the entries,
    /// in the order given, whose write failed while Redis was unavailable (to hold) with the last
    /// such error, and whether every call was written.
    func route(_ entries: [IngressEntry]) async -> (held: [IngressEntry], error: RedisError?, written: Bool) {
        guard !entries.isEmpty else { return ([], nil, true) }
        let snapshot = state.current
        await undecodable.deadLetter(entries.filter { $0.event == nil }.map(\.streamID), from: .ingress, nowMillis: clock().unixMillis)
        let routings = entries.compactMap { routing($0, snapshot: snapshot) }
        let chunks = Self.chunks(routings, maxDeliveries: maxDeliveriesPerScript, maxBytes: maxBytesPerScript)
        let retention = snapshot.routes.worker.attemptLogRetention
        return await withTaskGroup(of: (ids: [String], outcome: WriteOutcome).self) { group in
            for chunk in chunks where !chunk.isEmpty {
                group.addTask { (chunk.map(\.entry.streamID), await write(chunk, retention: retention)) }
            }
            var failed: Set<String> = []
            var lastError: RedisError?
            var written = true
            for await (ids, outcome) in group {
                switch outcome {
                case .written: break
                case .hold(let error):
                    failed.formUnion(ids)
                    lastError = error
                    written = false
                case .leftPending: written = false
                }
            }
            return (entries.filter { failed.contains($0.streamID) }, lastError, written)
        }
    }

    /// Splits routings into route-script calls of at most `maxDeliveries` deliveries (an event
    /// without any counts one: its dead letter) and about `maxBytes` of arguments (each delivery
    /// carries the body).
    static func chunks(_ routings: [EventRouting], maxDeliveries: Int, maxBytes: Int) -> [[EventRouting]] {
        ScriptChunks.ranges(
            count: routings.count, maxItems: maxDeliveries, maxBytes: maxBytes,
            items: { max(1, routings[$0].deliveries.count) },
            bytes: { (routings[$0].event.body.count + 512) * max(1, routings[$0].deliveries.count) }
        ).map { Array(routings[$0]) }
    }

    /// Matches one entry; nil when it cannot be decoded (it was dead-lettered as undecodable).
    private func routing(_ entry: IngressEntry, snapshot: WorkerSnapshot) -> EventRouting? {
        guard let event = entry.event else { return nil }
        let targets = snapshot.matcher.targets(source: event.source, channel: event.channel, eventType: event.eventType, body: event.body)
        let deliveries = targets.map { Delivery(ingressID: entry.streamID, event: event, target: $0) }
        return EventRouting(entry: entry, event: event, deliveries: deliveries)
    }

    /// What became of one script call's routings.
    enum WriteOutcome: Sendable {
        case written
        /// Redis stayed unavailable through the brief retries: the caller holds them.
        case hold(RedisError)
        /// Refused for another reason: pending until a router reclaims them.
        case leftPending
    }

    private func write(_ routings: [EventRouting], retention: Duration) async -> WriteOutcome {
        let worker = state.current.routes.worker
        var routed: [Bool] = []
        // An entry a lost try did route is no longer pending, and the script skips it.
        if let error = await retryingWhileUnavailable(stopping: { isStopping }, { () throws(RedisError) in
            routed = try await store.route(
                routings, nowMillis: clock().unixMillis, retention: retention, recoveryWindow: worker.recoveryWindow,
                eventIndex: worker.eventIndex)
        }) {
            if error.isWorthRetrying { return .hold(error) }
            for routing in routings {
                logger.error(
                    "event could not be routed; it stays pending and is routed once reclaimed after worker.visibility_timeout",
                    metadata: ["event_id": "\(routing.event.webhookID)", "error": "\(error)"])
            }
            return .leftPending
        }
        for (routing, applied) in zip(routings, routed) where applied && routing.deliveries.isEmpty {
            deadLetters.count(.noRoute)
            logger.notice(
                "event matched no route; dead-lettered as no_route",
                metadata: ["event_id": "\(routing.event.webhookID)", "source": "\(routing.event.source)"])
        }
        return .written
    }
}
