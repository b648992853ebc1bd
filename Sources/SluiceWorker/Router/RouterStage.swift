import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceRedis

/// Expands each ingress event into one delivery per endpoint that routes.yaml chooses (SPEC §1, §3).
///
/// Reads the ingress stream in the `router` consumer group and, every few seconds, claims
/// entries a dead router left pending. Each entry is routed with the routes snapshot in force
/// at that moment; the store writes the deliveries (or the `no_route` dead letter) and
/// acknowledges the entry in one script, so a crash never loses or doubles an expansion.
struct RouterStage: Service {
    let state: WorkerState
    let store: WorkerStore
    let consumer: String
    let logger: Logger
    let clock: @Sendable () -> Date
    var batchSize = 256
    var block: Duration = .seconds(1)
    var claimInterval: Duration = .seconds(5)

    func run() async throws {
        await store.ensureGroupsRetrying(state: state, logger: logger)
        var nextClaim = ContinuousClock.now
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
                // Entries read after shutdown began are routed anyway: routing is one quick script,
                // and leaving them pending would delay them by a whole visibility timeout.
                await route(entries)
            } catch {
                logger.error("router stage cannot read the ingress stream; retrying", metadata: ["error": "\(error)"])
                await sleepUnlessShuttingDown(for: .milliseconds(500))
            }
        }
    }

    /// Routes a batch concurrently: the store's client pipelines the scripts into few round trips.
    private func route(_ entries: [IngressEntry]) async {
        guard !entries.isEmpty else { return }
        let snapshot = state.current
        await withDiscardingTaskGroup { group in
            for entry in entries {
                group.addTask { await route(entry, snapshot: snapshot) }
            }
        }
    }

    private func route(_ entry: IngressEntry, snapshot: WorkerSnapshot) async {
        guard let event = entry.event else {
            logger.error(
                "ingress entry cannot be decoded; leaving it pending for an operator",
                metadata: ["stream_id": "\(entry.streamID)"])
            return
        }
        // The edge only accepts JSON objects; an unparseable body still routes, matching no `where`.
        let body = (try? JSONValue(parsing: event.body)) ?? .object([:])
        let targets = snapshot.matcher.match(
            source: event.source, channel: event.channel, eventType: event.eventType, body: body
        ).targets
        let deliveries = targets.map { Delivery(ingressID: entry.streamID, event: event, target: $0) }
        do {
            try await store.route(
                entry, event: event, deliveries: deliveries, nowMillis: clock().unixMillis,
                retention: snapshot.routes.worker.attemptLogRetention)
            if deliveries.isEmpty {
                logger.notice("event matched no route; dead-lettered as no_route", metadata: ["event_id": "\(event.webhookID)", "source": "\(event.source)"])
            }
        } catch {
            // Left pending: this or another router claims it again after the visibility timeout.
            logger.error(
                "event could not be routed; it stays pending and is retried",
                metadata: ["event_id": "\(event.webhookID)", "error": "\(error)"])
        }
    }
}
