import SluiceCore
import Synchronization

/// The endpoints this worker recently sent to their waiting line because they could take
/// nothing for a while (an empty rate-limit bucket, an open circuit) — not for a lane that was
/// merely full for a moment, which drains in milliseconds.
///
/// While such an endpoint's line holds deliveries, a new delivery for it would only be refused a
/// token and join the line anyway; remembering that the line exists lets the delivery stage
/// send a whole batch there in one script call, instead of one token check and one completion per
/// delivery — which is what lets a backlog of 100,000 be parked in seconds without holding up the
/// other endpoints' deliveries behind it on the stream. The memory lasts a second: a line that
/// empties sooner costs a delivery at most one trip through it. Only a delivery the endpoint could
/// not take renews it — not one sent to the line because of it, nor one refused a token only
/// because the line, about to be let out, held others while the bucket had tokens: renewed by
/// those, it lasted as long as deliveries kept coming, each making a trip through a line that no
/// longer needed to exist.
final class WaitingLineMemory: Sendable {
    private let until = Mutex<[EndpointRef: Int64]>([:])
    let lifetimeMillis: Int64

    init(lifetimeMillis: Int64 = 1000) {
        self.lifetimeMillis = lifetimeMillis
    }

    /// `endpoints` have a waiting line as of `nowMillis`.
    func note(_ endpoints: some Sequence<EndpointRef>, nowMillis: Int64) {
        until.withLock { until in
            for endpoint in endpoints { until[endpoint] = nowMillis + lifetimeMillis }
        }
    }

    /// Whether `endpoint` was sent to its line within the last `lifetimeMillis`.
    func isActive(_ endpoint: EndpointRef, nowMillis: Int64) -> Bool {
        until.withLock { until in
            guard let end = until[endpoint] else { return false }
            if end > nowMillis { return true }
            until[endpoint] = nil
            return false
        }
    }
}
