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
    /// One route script call: which of `routings` it applied (`WorkerStore.route`). Tests
    /// replace it to make chosen batches fail.
    var writeRoutings: @Sendable (WorkerStore, [EventRouting], _ nowMillis: Int64, _ retention: Duration, WorkerConfig) async throws(RedisError) -> [Bool] =
        { store, routings, nowMillis, retention, worker throws(RedisError) in
            try await store.route(
                routings, nowMillis: nowMillis, retention: retention, recoveryWindow: worker.recoveryWindow, eventIndex: worker.eventIndex)
        }

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
        // timeout to be reclaimed. Once they have been claimed that long, they are left to the
        // reclaim after all, so a batch that fails for a reason of its own does not stop the
        // partition's routing.
        var held = Routed()
        // When the held entries were read or claimed: their visibility clock's start.
        var heldSince = ContinuousClock.now
        func hold(_ routed: Routed, readAt: ContinuousClock.Instant) {
            if held.entries.isEmpty { heldSince = readAt }
            held = routed
        }
        while !isStopping {
            if !held.entries.isEmpty {
                let visibility = state.current.routes.worker.visibilityTimeout
                if ContinuousClock.now - heldSince > visibility {
                    logger.warning(
                        "routed events held longer than worker.visibility_timeout; leaving them pending for the reclaim and reading on",
                        metadata: partition.merging(["events": "\(held.entries.count)", "visibility_timeout": "\(visibility.logText)"]) { $1 })
                    held = Routed()
                    // They have been idle that long, so this router's own next claim would take
                    // them straight back and hold them again, reading nothing newer: it reads on
                    // for a visibility timeout first (other routers may claim them meanwhile).
                    nextClaim = ContinuousClock.now + visibility
                    continue
                }
                await sleepUnlessShuttingDown(for: .milliseconds(500))
                guard !isStopping else { break }
                hold(await routeOrHold(held.entries, uncertain: held.uncertain, writes: &writes, metadata: partition), readAt: heldSince)
                continue
            }
            do {
                if ContinuousClock.now >= nextClaim {
                    nextClaim = ContinuousClock.now + claimInterval
                    let claimedAt = ContinuousClock.now
                    let stale = try await store.claimStaleIngress(
                        consumer: consumer, minIdle: state.current.routes.worker.visibilityTimeout, count: batchSize)
                    hold(await routeOrHold(stale, writes: &writes, metadata: partition), readAt: claimedAt)
                    if !held.entries.isEmpty { continue }
                }
                guard !isStopping else { break }
                let entries = try await store.readIngress(consumer: consumer, count: batchSize, block: block)
                let readAt = ContinuousClock.now
                outage.succeeded(logger: logger, metadata: partition)
                // Entries read after shutdown began are routed anyway: routing is one quick script,
                // and leaving them pending would delay them by a whole visibility timeout.
                hold(await routeOrHold(entries, writes: &writes, metadata: partition), readAt: readAt)
            } catch {
                outage.failed(error, logger: logger, metadata: partition)
                await sleepUnlessShuttingDown(for: .milliseconds(500))
            }
        }
        if !held.entries.isEmpty {
            logger.warning(
                "shutting down with routed events Redis did not take; they stay pending and are routed once reclaimed after worker.visibility_timeout",
                metadata: partition.merging(["events": "\(held.entries.count)"]) { $1 })
        }
    }

    /// Entries to hold (see `run`), and those of them whose write may have been applied by a try
    /// whose reply was lost.
    struct Routed {
        var entries: [IngressEntry] = []
        var uncertain: Set<String> = []
    }

    /// Routes `entries` and returns those to hold (see `run`), logging through `writes`.
    private func routeOrHold(
        _ entries: [IngressEntry], uncertain: Set<String> = [], writes: inout OutageLog, metadata: Logger.Metadata
    ) async -> Routed {
        guard !entries.isEmpty else { return Routed() }
        let outcome = await route(entries, uncertain: uncertain)
        if let error = outcome.error {
            writes.failed(error, logger: logger, metadata: metadata.merging(["events": "\(outcome.held.count)"]) { $1 })
        } else if outcome.written {
            writes.succeeded(logger: logger, metadata: metadata)
        }
        return Routed(entries: outcome.held, uncertain: outcome.uncertain)
    }

    /// Routes a batch: matches every event, then writes the expansions in as few script calls as
    /// the per-call cap allows, one after the other. Returns the entries, in the order given,
    /// whose write failed while Redis was unavailable (to hold) with the last such error, which of
    /// them a try whose reply was lost may have written (`uncertain`: given back with them next
    /// time), and whether every call was written.
    ///
    /// Once a call is to be held, the calls after it are held untried: written, their events
    /// would reach their endpoints ahead of the held ones.
    func route(
        _ entries: [IngressEntry], uncertain: Set<String> = []
    ) async -> (held: [IngressEntry], error: RedisError?, written: Bool, uncertain: Set<String>) {
        guard !entries.isEmpty else { return ([], nil, true, []) }
        let snapshot = state.current
        await undecodable.deadLetter(entries.filter { $0.event == nil }.map(\.streamID), from: .ingress, nowMillis: clock().unixMillis)
        let routings = entries.compactMap { routing($0, snapshot: snapshot) }
        let chunks = Self.chunks(routings, maxDeliveries: maxDeliveriesPerScript, maxBytes: maxBytesPerScript)
        let retention = snapshot.routes.worker.attemptLogRetention
        var failed: Set<String> = []
        var stillUncertain: Set<String> = []
        var lastError: RedisError?
        var written = true
        for chunk in chunks where !chunk.isEmpty {
            let ids = chunk.map(\.entry.streamID)
            if lastError != nil {
                failed.formUnion(ids)
                stillUncertain.formUnion(ids.filter(uncertain.contains))
                continue
            }
            switch await write(chunk, retention: retention, uncertain: uncertain) {
            case .written: break
            case .hold(let error, let lost):
                failed.formUnion(ids)
                stillUncertain.formUnion(lost.union(ids.filter(uncertain.contains)))
                lastError = error
                written = false
            case .leftPending: written = false
            }
        }
        return (entries.filter { failed.contains($0.streamID) }, lastError, written, stillUncertain)
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
        /// `uncertain`: those a try whose reply was lost may have written.
        case hold(RedisError, uncertain: Set<String>)
        /// Refused for another reason: pending until a router reclaims them.
        case leftPending
    }

    /// `uncertain`: entries an earlier call's lost reply may have written.
    private func write(_ routings: [EventRouting], retention: Duration, uncertain: Set<String>) async -> WriteOutcome {
        let worker = state.current.routes.worker
        var routed: [Bool] = []
        var mayHaveRun = false
        // An entry a lost try did route is no longer pending, and the script skips it.
        if let error = await retryingWhileUnavailable(stopping: { isStopping }, { () throws(RedisError) in
            do throws(RedisError) {
                routed = try await writeRoutings(store, routings, clock().unixMillis, retention, worker)
            } catch {
                if error.outcomeUnknown { mayHaveRun = true }
                throw error
            }
        }) {
            let ids = Set(routings.map(\.entry.streamID))
            if error.isWorthRetrying { return .hold(error, uncertain: mayHaveRun ? ids : []) }
            // One event that cannot be written (a script error) must not keep the rest of its
            // call from being routed: each is tried on its own, and only what fails alone stays
            // pending. Redis turning unavailable meanwhile holds the whole call, as for any other
            // call (the script skips what the single calls wrote). The script writes event by
            // event and acknowledges at the end, so the events before the one that failed were
            // written by the call that failed too, and are delivered twice.
            if routings.count > 1, error.kind == .server {
                let known = mayHaveRun ? uncertain.union(ids) : uncertain
                var outcome = WriteOutcome.written
                for routing in routings {
                    switch await write([routing], retention: retention, uncertain: known) {
                    case .written: continue
                    case .hold(let error, let lost): return .hold(error, uncertain: lost.union(mayHaveRun ? ids : []))
                    case .leftPending: outcome = .leftPending
                    }
                }
                return outcome
            }
            for routing in routings { logUnrouted(routing, error) }
            return .leftPending
        }
        // A no_route dead letter counts once written: by this call, or by a try whose reply was
        // lost (the entry is then no longer pending, and this call skipped it). Another router
        // could have written it only after a visibility timeout, longer than these tries take.
        for (routing, applied) in zip(routings, routed)
        where routing.deliveries.isEmpty && (applied || mayHaveRun || uncertain.contains(routing.entry.streamID)) {
            deadLetters.count(.noRoute)
            logger.notice(
                "event matched no route; dead-lettered as no_route",
                metadata: ["event_id": "\(routing.event.webhookID)", "source": "\(routing.event.source)"])
        }
        return .written
    }

    private func logUnrouted(_ routing: EventRouting, _ error: RedisError) {
        logger.error(
            "event could not be routed; it stays pending and is routed once reclaimed after worker.visibility_timeout",
            metadata: ["event_id": "\(routing.event.webhookID)", "error": "\(error)"])
    }
}
