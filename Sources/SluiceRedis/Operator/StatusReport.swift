import Foundation
public import SluiceCore

/// One reading of `sluice status` (and the console's overview): queue depths, circuit reports and each endpoint's state.
public struct StatusReport: Sendable {
    /// Circuit reports whose probe time is older than this come from workers that died with the
    /// circuit open (a live worker replaces or removes its report); they are not shown.
    public static let staleAfterMillis: Int64 = 5 * 60 * 1000

    /// When it was read, unix ms.
    public var atMillis: Int64
    public var queues: StoreStatus
    /// Current circuit reports, one per (endpoint, worker), latest probe first.
    public var circuits: [OpenCircuit]
    public var endpoints: [EndpointState]

    /// Reads everything from Redis: the queue depths over every partition, the circuit reports,
    /// and the rate-limit bucket of each endpoint that has a `rate_limit` (one pipelined round
    /// trip per partition; with several partitions, their shares' tokens added up).
    public static func read(stores: WorkerStores, routes: RoutesConfig) async throws(RedisError) -> StatusReport {
        let queues = try await stores.status()
        let reported = try await stores.openCircuits()
        let limited = routes.tenants.values.flatMap(\.endpoints.values).filter { $0.rateLimit != nil }.sorted { $0.ref < $1.ref }
        let now = Date().unixMillis
        var buckets: [EndpointRef: TokenBucket] = [:]
        let partitions = stores.all
        for store in partitions where !limited.isEmpty {
            let replies = try await store.client.pipeline(limited.map {
                ["HMGET", RedisArgument(store.keyspace.bucket(endpoint: $0.ref)), "u", "t"]
            })
            for (endpoint, reply) in zip(limited, replies) {
                guard let limit = endpoint.rateLimit?.share(of: partitions.count) else { continue }
                let full = TokenBucket(limit: limit, nowMillis: now)
                // The bucket script writes `u` and `t` together; a missing key is a full bucket.
                var read = full
                if let fields = reply.array, fields.count == 2,
                    let units = fields[0].string.flatMap({ Int64($0) }), let updated = fields[1].string.flatMap({ Int64($0) })
                {
                    read = TokenBucket(capacity: full.capacity, periodMillis: full.periodMillis, units: units, updatedAtMillis: updated)
                } else if partitions.count == 1 {
                    continue
                }
                guard let sum = buckets[endpoint.ref] else {
                    buckets[endpoint.ref] = read
                    continue
                }
                // Shares of one limit have the same period: their capacities and credit add up.
                buckets[endpoint.ref] = TokenBucket(
                    capacity: sum.capacity + read.capacity, periodMillis: sum.periodMillis, units: sum.units + read.units,
                    updatedAtMillis: max(sum.updatedAtMillis, read.updatedAtMillis))
            }
        }
        let circuits = reported.filter { $0.probeAtMillis > now - staleAfterMillis }
        return StatusReport(
            atMillis: now, queues: queues, circuits: circuits,
            endpoints: EndpointState.all(routes: routes, circuits: circuits, buckets: buckets, nowMillis: now))
    }
}
