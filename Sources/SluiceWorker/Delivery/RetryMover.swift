import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceRedis

/// Moves retries that are due from the retry set back onto the deliveries stream, and releases
/// endpoints' waiting lines at their pace.
///
/// Any number of workers may run it: the store's scripts move each entry exactly once.
struct RetryMover: Service {
    let store: WorkerStore
    let state: WorkerState
    /// The process's room, which sizes how much of a line a release lets out (as lanes are sized).
    let maxInFlight: Int
    let logger: Logger
    let clock: @Sendable () -> Date
    var interval: Duration = .milliseconds(200)
    var batch = 1000
    var linesPerCall = 64

    func run() async throws {
        while !isStopping {
            do {
                // A full batch means more may be due: go again at once.
                while !isStopping, try await store.moveDueRetries(nowMillis: clock().unixMillis, limit: batch) >= batch {}
                let routes = state.current.routes
                while !isStopping,
                    try await store.releaseWaiting(nowMillis: clock().unixMillis, limit: linesPerCall, pace: { pace($0, routes) }).lines
                        >= linesPerCall
                {}
            } catch {
                logger.error("cannot move due retries or release waiting deliveries; retrying", metadata: ["error": "\(error)"])
            }
            await sleepUnlessShuttingDown(for: interval)
        }
    }

    /// A rate-limited line lets out what its tokens allow (up to a period's worth); any other line,
    /// what the endpoint's lane holds, every `DeliveryStage.fullLaneWait`. A removed endpoint's
    /// line is let out whole, so its deliveries are dead-lettered as `endpoint_removed`.
    private func pace(_ ref: EndpointRef, _ routes: RoutesConfig) -> WorkerStore.ReleasePace {
        guard routes.endpoint(ref) != nil else {
            return WorkerStore.ReleasePace(rateLimit: nil, most: batch, interval: DeliveryStage.fullLaneWait)
        }
        let lane = DeliveryStage.laneSize(for: ref, in: routes, maxInFlight: maxInFlight)
        let endpoint = routes.endpoint(ref)
        if let limit = endpoint?.rateLimit {
            return WorkerStore.ReleasePace(rateLimit: limit, most: max(1, min(limit.count, batch)), interval: DeliveryStage.fullLaneWait)
        }
        return WorkerStore.ReleasePace(rateLimit: nil, most: lane.limit + lane.queue, interval: DeliveryStage.fullLaneWait)
    }
}
