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
    /// How many partitions share each endpoint's rate limit.
    let partitions: @Sendable () -> Int
    let logger: Logger
    let clock: @Sendable () -> Date
    /// How often due retries are moved.
    var interval: Duration = .milliseconds(200)
    /// How often due waiting lines are released: more often than retries, since a line without a
    /// rate limit releases a lane's worth each time and a fast endpoint drains it at that pace.
    var releaseInterval: Duration = .milliseconds(50)
    var batch = 1000
    var linesPerCall = 64

    /// While Redis keeps failing, how often the mover says so again (it tries every
    /// `releaseInterval`).
    var repeatLogEvery: Duration = .seconds(30)

    func run() async throws {
        var nextMove = ContinuousClock.now
        var outage = OutageLog(
            failing: "cannot move due retries or release waiting deliveries",
            resumed: "moving due retries and releasing waiting deliveries again", repeatEvery: repeatLogEvery)
        while !isStopping {
            do {
                if ContinuousClock.now >= nextMove {
                    nextMove = ContinuousClock.now + interval
                    // A full batch means more may be due: go again at once.
                    while !isStopping, try await store.moveDueRetries(nowMillis: clock().unixMillis, limit: batch) >= batch {}
                }
                let snapshot = state.current
                while !isStopping,
                    try await store.releaseWaiting(nowMillis: clock().unixMillis, limit: linesPerCall, pace: { pace($0, snapshot) }).lines
                        >= linesPerCall
                {}
                outage.succeeded(logger: logger)
            } catch {
                outage.failed(error, logger: logger)
            }
            await sleepUnlessShuttingDown(for: releaseInterval)
        }
    }

    /// A rate-limited line lets out what its tokens allow (up to a burst); any other line, what
    /// the endpoint's lane holds (at least 32), again `releaseInterval` later — or, when released
    /// deliveries come back because the lane is still full, `DeliveryStage.fullLaneWait` later. A
    /// removed endpoint's line is let out whole, so its deliveries are dead-lettered as
    /// `endpoint_removed`.
    private func pace(_ ref: EndpointRef, _ snapshot: WorkerSnapshot) -> WorkerStore.ReleasePace {
        guard let endpoint = snapshot.routes.endpoint(ref) else {
            return WorkerStore.ReleasePace(rateLimit: nil, most: batch, interval: releaseInterval)
        }
        if let limit = endpoint.rateLimit {
            // This partition's bucket holds its share of the limit (`RateLimit.share(of:)`).
            let share = limit.share(of: partitions())
            return WorkerStore.ReleasePace(rateLimit: share, most: max(1, min(share.count, batch)), interval: releaseInterval)
        }
        let lane = DeliveryStage.laneSize(for: ref, in: snapshot, maxInFlight: maxInFlight)
        return WorkerStore.ReleasePace(rateLimit: nil, most: max(32, lane.limit + lane.queue), interval: releaseInterval)
    }
}
