import Foundation
public import SluiceCore

extension WorkerStores {
    /// What `recover` found and did.
    public struct Recovery: Sendable, Equatable {
        /// Archived events in the time range (all endpoints).
        public var scanned = 0
        /// Deliveries to the endpoint among them.
        public var found = 0
        /// Put back on the deliveries stream (0 on a dry run).
        public var enqueued = 0
        /// The earliest archived event still kept (unix ms), or nil when the archive is empty: a
        /// `since` before it cannot be recovered in full.
        public var archiveStartsAtMillis: Int64?

        public init() {}
    }

    /// Sends every delivery to `endpoint` routed between `sinceMillis` and `untilMillis` again —
    /// delivered or not — from the archive (`worker.recovery_window`), each with a fresh schedule
    /// and its webhook-id unchanged, partition by partition, in pages of `page`.
    public func recover(
        endpoint: EndpointRef, sinceMillis: Int64, untilMillis: Int64? = nil, dryRun: Bool = false, page: Int = 500
    ) async throws(RedisError) -> Recovery {
        var recovery = Recovery()
        // Every recovered delivery starts a fresh schedule now: its event was accepted long ago.
        let nowMillis = Date().unixMillis
        for store in all {
            if let millis = try await store.oldestEntryMillis(in: store.keyspace.archive) {
                recovery.archiveStartsAtMillis = min(recovery.archiveStartsAtMillis ?? millis, millis)
            }
            // Stream ids start at 0: a time before 1970 (`--since 0001-01-01T00:00:00Z`) means
            // from the archive's start, not an id Redis refuses.
            var start = "\(max(0, sinceMillis))-0"
            let end = untilMillis.map { "\(max(0, $0))" } ?? "+"
            while true {
                let reply = try await store.client.send([
                    "XRANGE", RedisArgument(store.keyspace.archive), RedisArgument(start), RedisArgument(end), "COUNT", RedisArgument(page),
                ])
                let entries = RedisStreamEntry.entries(from: reply)
                let deliveries = entries.compactMap(ArchivedEvent.decode).filter { $0.targets.contains(endpoint) }.map {
                    Delivery(ingressID: $0.ingressID, event: $0.event, target: endpoint, scheduledAtMillis: nowMillis)
                }
                recovery.scanned += entries.count
                recovery.found += deliveries.count
                if !dryRun && !deliveries.isEmpty {
                    let replies = try await store.client.pipeline(deliveries.map { delivery in
                        ["XADD", RedisArgument(store.keyspace.deliveries), "*"] + delivery.fields().flatMap { [RedisArgument($0.0), RedisArgument($0.1)] }
                    })
                    recovery.enqueued += replies.filter { $0.errorMessage == nil }.count
                }
                guard entries.count == page, let last = entries.last else { break }
                start = "(" + last.id
            }
        }
        return recovery
    }
}
