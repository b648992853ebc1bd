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
        let partition: Logger.Metadata = ["partition": "\(store.keyspace.partition)"]
        while !isStopping {
            do {
                if ContinuousClock.now >= nextClaim {
                    nextClaim = ContinuousClock.now + claimInterval
                    let stale = try await store.claimStaleIngress(
                        consumer: consumer, minIdle: state.current.routes.worker.visibilityTimeout, count: batchSize)
                    await route(stale)
                }
                guard !isStopping else { break }
                let entries = try await store.readIngress(consumer: consumer, count: batchSize, block: block)
                outage.succeeded(logger: logger, metadata: partition)
                // Entries read after shutdown began are routed anyway: routing is one quick script,
                // and leaving them pending would delay them by a whole visibility timeout.
                await route(entries)
            } catch {
                outage.failed(error, logger: logger, metadata: partition)
                await sleepUnlessShuttingDown(for: .milliseconds(500))
            }
        }
    }

    /// Routes a batch: matches every event, then writes the expansions in as few script calls as
    /// the per-call cap allows (sent together, so they share a round trip).
    func route(_ entries: [IngressEntry]) async {
        guard !entries.isEmpty else { return }
        let snapshot = state.current
        await undecodable.deadLetter(entries.filter { $0.event == nil }.map(\.streamID), from: .ingress, nowMillis: clock().unixMillis)
        let routings = entries.compactMap { routing($0, snapshot: snapshot) }
        let chunks = Self.chunks(routings, maxDeliveries: maxDeliveriesPerScript, maxBytes: maxBytesPerScript)
        let retention = snapshot.routes.worker.attemptLogRetention
        await withDiscardingTaskGroup { group in
            for chunk in chunks where !chunk.isEmpty {
                group.addTask { await write(chunk, retention: retention) }
            }
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

    private func write(_ routings: [EventRouting], retention: Duration) async {
        let worker = state.current.routes.worker
        var routed: [Bool] = []
        // A timeout or a refused write is tried again within about 2 s: left pending, the batch
        // would wait a whole visibility timeout to be reclaimed, and the events read after it
        // would reach their endpoints first. An entry a lost try did route is no longer pending,
        // and the script skips it.
        if let error = await retryingWhileUnavailable({ () throws(RedisError) in
            routed = try await store.route(
                routings, nowMillis: clock().unixMillis, retention: retention, recoveryWindow: worker.recoveryWindow,
                eventIndex: worker.eventIndex)
        }) {
            for routing in routings {
                logger.error(
                    "event could not be routed; it stays pending and is routed once reclaimed after worker.visibility_timeout",
                    metadata: ["event_id": "\(routing.event.webhookID)", "error": "\(error)"])
            }
            return
        }
        for (routing, applied) in zip(routings, routed) where applied && routing.deliveries.isEmpty {
            deadLetters.count(.noRoute)
            logger.notice(
                "event matched no route; dead-lettered as no_route",
                metadata: ["event_id": "\(routing.event.webhookID)", "source": "\(routing.event.source)"])
        }
    }
}
