import Foundation
import SluiceCore
import SluiceRedis

/// One reading of `sluice status`: queue depths, circuit reports and each endpoint's state.
struct StatusReport {
    /// Circuit reports whose probe time is older than this come from workers that died with the
    /// circuit open (a live worker replaces or removes its report); they are not shown.
    static let staleAfterMillis: Int64 = 5 * 60 * 1000

    /// When it was read, unix ms.
    var atMillis: Int64
    var queues: StoreStatus
    /// Current circuit reports, one per (endpoint, worker), latest probe first.
    var circuits: [OpenCircuit]
    var endpoints: [EndpointState]

    /// Reads everything from Redis: the queue depths, the circuit reports, and the rate-limit
    /// bucket of each endpoint that has a `rate_limit` (one pipelined round trip for those).
    static func read(store: WorkerStore, routes: RoutesConfig) async throws(RedisError) -> StatusReport {
        let queues = try await store.status()
        let reported = try await store.openCircuits()
        let limited = routes.tenants.values.flatMap(\.endpoints.values).filter { $0.rateLimit != nil }.sorted { $0.ref < $1.ref }
        let replies = limited.isEmpty ? [] : try await store.client.pipeline(limited.map {
            ["HMGET", RedisArgument(store.keyspace.bucket(endpoint: $0.ref)), "u", "t"]
        })
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var buckets: [EndpointRef: TokenBucket] = [:]
        for (endpoint, reply) in zip(limited, replies) {
            // The bucket script writes `u` and `t` together; a missing key is a full bucket.
            guard let limit = endpoint.rateLimit, let fields = reply.array, fields.count == 2,
                let units = fields[0].string.flatMap({ Int64($0) }), let updated = fields[1].string.flatMap({ Int64($0) })
            else { continue }
            let full = TokenBucket(limit: limit, nowMillis: updated)
            buckets[endpoint.ref] = TokenBucket(capacity: full.capacity, periodMillis: full.periodMillis, units: units, updatedAtMillis: updated)
        }
        let circuits = reported.filter { $0.probeAtMillis > now - staleAfterMillis }
        return StatusReport(
            atMillis: now, queues: queues, circuits: circuits,
            endpoints: EndpointState.all(routes: routes, circuits: circuits, buckets: buckets, nowMillis: now))
    }
}
