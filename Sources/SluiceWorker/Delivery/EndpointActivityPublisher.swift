import Foundation
import Logging
import ServiceLifecycle
import SluiceRedis

/// Publishes `EndpointActivity` for the console every `interval`: what changed each time, and
/// everything once a minute (so a summary never looks stale while the endpoint is quiet).
struct EndpointActivityPublisher: Service {
    let activity: EndpointActivity
    /// The routes in force: endpoints removed from them are no longer published.
    let state: WorkerState
    let stores: WorkerStores
    let consumer: String
    let logger: Logger
    var interval: Duration = .seconds(5)

    func run() async throws {
        var round = 0
        while !isStopping {
            await sleepUnlessShuttingDown(for: interval)
            let now = Date().unixMillis
            let routes = state.current.routes
            let summaries = activity.summaries(consumer: consumer, nowMillis: now, all: round % 12 == 0) { routes.endpoint($0) != nil }
            round += 1
            do {
                try await stores.store(0).publish(summaries)
            } catch {
                logger.debug("endpoint activity not published", metadata: ["error": "\(error)"])
            }
        }
    }
}
