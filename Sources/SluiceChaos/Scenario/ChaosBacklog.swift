import Foundation
import SluiceCore
import SluiceRedis

/// A backlog of deliveries to one rate-limited endpoint, put on the deliveries stream before the
/// traffic starts (as if an earlier burst had been routed there), that must neither slow the
/// other endpoints nor make Redis work grow with its size; its limit is lifted once the traffic
/// ends, and every delivery of it must then arrive.
struct ChaosBacklog: Sendable {
    /// The rate-limited endpoint (not in the route: only the backlog goes to it).
    let endpoint: ChaosEndpoint
    /// Its `rate_limit`, deliveries per second.
    let perSecond: Int
    /// How many deliveries, given the run's scale.
    let count: @Sendable (ChaosScale) -> Int

    /// The webhook-id of the `index`-th delivery of a run's backlog.
    static func id(runID: String, index: Int) -> String { "bk_\(runID)_\(index)" }

    /// The body of the backlog delivery `id`: derived from it, so the receiver can check it.
    static func body(for id: String) -> [UInt8] { Array(#"{"type":"backlog.item","data":{"id":"\#(id)"}}"#.utf8) }

    /// Whether `id` names a backlog delivery of this run.
    static func isBacklog(_ id: String, runID: String) -> Bool { id.hasPrefix("bk_\(runID)_") }

    /// XADDs the backlog to the deliveries stream, a thousand per pipelined round trip.
    func inject(count: Int, runID: String, admin: RedisClient, keyspace: Keyspace) async throws(RedisError) {
        let now = Date().unixMillis
        var index = 0
        while index < count {
            let end = min(count, index + 1000)
            let commands: [[RedisArgument]] = (index..<end).map { position in
                let id = Self.id(runID: runID, index: position)
                let event = IngressEvent(
                    webhookID: id, source: "gemini", channel: nil, eventType: "backlog.item", webhookTimestamp: now / 1000,
                    receivedAtMillis: now, body: Self.body(for: id))
                let delivery = Delivery(ingressID: "0-\(position + 1)", event: event, target: endpoint.ref)
                var command: [RedisArgument] = ["XADD", RedisArgument(keyspace.deliveries), "*"]
                for (name, value) in delivery.fields() {
                    command.append(RedisArgument(name))
                    command.append(RedisArgument(value))
                }
                return command
            }
            for reply in try await admin.pipeline(commands) {
                if let message = reply.errorMessage { throw RedisError(kind: .server, message: message) }
            }
            index = end
        }
    }
}
