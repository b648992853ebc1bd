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
        // Entries whose write Redis could not take (down, timing out, refusing writes) beyond the
        // write's own brief retries: they go again before anything newer is read. Read on, and
        // the events after them would reach their endpoints first, while they waited a whole
        // visibility timeout to be reclaimed.
        var held: [IngressEntry] = []
        while !isStopping {
            if !held.isEmpty {
                await sleepUnlessShuttingDown(for: .milliseconds(500))
                guard !isStopping else { break }
                held = await route(held, writes: &writes, metadata: partition)
                continue
            }
            do {
                if ContinuousClock.now >= nextClaim {
                    nextClaim = ContinuousClock.now + claimInterval
                    let stale = try await store.claimStaleIngress(
                        consumer: consumer, minIdle: state.current.routes.worker.visibilityTimeout, count: batchSize)
                    held = await route(stale, writes: &writes, metadata: partition)
                    if !held.isEmpty { continue }
                }
                guard !isStopping else { break }
                let entries = try await store.readIngress(consumer: consumer, count: batchSize, block: block)
                outage.succeeded(logger: logger, metadata: partition)
                // Entries read after shutdown began are routed anyway: routing is one quick script,
                // and leaving them pending would delay them by a whole visibility timeout.
                held = await route(entries, writes: &writes, metadata: partition)
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
    private func route(_ entries: [IngressEntry], writes: inout OutageLog, metadata: Logger.Metadata) async -> [IngressEntry] {
        guard !entries.isEmpty else { return [] }
        guard let failure = await route(entries) else {
            writes.succeeded(logger: logger, metadata: metadata)
            return []
        }
        writes.failed(failure.error, logger: logger, metadata: metadata.merging(["events": "\(failure.entries.count)"]) { $1 })
        return failure.entries
    }

    /// Routes a batch: matches every event, then writes the expansions in as few script calls as
    /// the per-call cap allows (sent together, so they share a round trip). Returns the entries,
    /// in the order given, whose write failed while Redis was unavailable, with the last error.
    func route(_ entries: [IngressEntry]) async -> (entries: [IngressEntry], error: RedisError)? {
        guard !entries.isEmpty else { return nil }
        let snapshot = state.current
        await undecodable.deadLetter(entries.filter { $0.event == nil }.map(\.streamID), from: .ingress, nowMillis: clock().unixMillis)
        let routings = entries.compactMap { routing($0, snapshot: snapshot) }
        let chunks = Self.chunks(routings, maxDeliveries: maxDeliveriesPerScript, maxBytes: maxBytesPerScript)
        let retention = snapshot.routes.worker.attemptLogRetention
        let (failed, error) = await withTaskGroup(of: (ids: [String], error: RedisError)?.self) { group in
            for chunk in chunks where !chunk.isEmpty {
                group.addTask { await write(chunk, retention: retention).map { (chunk.map(\.entry.streamID), $0) } }
            }
            var failed: Set<String> = []
            var lastError: RedisError?
            for await failure in group {
                guard let failure else { continue }
                failed.formUnion(failure.ids)
                lastError = failure.error
            }
            return (failed, lastError)
        }
        guard let error else { return nil }
        return (entries.filter { failed.contains($0.streamID) }, error)
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

    /// Writes one script call's routings; returns the error when Redis was unavailable through
    /// the brief retries (the caller holds them), nil once written or left for the reclaim.
    private func write(_ routings: [EventRouting], retention: Duration) async -> RedisError? {
        let worker = state.current.routes.worker
        var routed: [Bool] = []
        // A timeout or a refused write is tried again within about 2 s before the caller holds
        // the batch. An entry a lost try did route is no longer pending, and the script skips it.
        if let error = await retryingWhileUnavailable({ () throws(RedisError) in
            routed = try await store.route(
                routings, nowMillis: clock().unixMillis, retention: retention, recoveryWindow: worker.recoveryWindow,
                eventIndex: worker.eventIndex)
        }) {
            if error.isUnavailable && error.kind != .clientShutdown { return error }
            for routing in routings {
                logger.error(
                    "event could not be routed; it stays pending and is routed once reclaimed after worker.visibility_timeout",
                    metadata: ["event_id": "\(routing.event.webhookID)", "error": "\(error)"])
            }
            return nil
        }
        for (routing, applied) in zip(routings, routed) where applied && routing.deliveries.isEmpty {
            deadLetters.count(.noRoute)
            logger.notice(
                "event matched no route; dead-lettered as no_route",
                metadata: ["event_id": "\(routing.event.webhookID)", "source": "\(routing.event.source)"])
        }
        return nil
    }
}
