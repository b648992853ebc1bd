import Foundation
import Logging
import ServiceLifecycle
import SluiceRedis

/// Moves retries that are due from the retry set back onto the deliveries stream.
///
/// Any number of workers may run it: the store's script moves each entry exactly once.
struct RetryMover: Service {
    let store: WorkerStore
    let logger: Logger
    let clock: @Sendable () -> Date
    var interval: Duration = .milliseconds(200)
    var batch = 1000

    func run() async throws {
        while !isStopping {
            do {
                // A full batch means more may be due: go again at once.
                while !isStopping, try await store.moveDueRetries(nowMillis: clock().unixMillis, limit: batch) >= batch {}
            } catch {
                logger.error("cannot move due retries; retrying", metadata: ["error": "\(error)"])
            }
            await sleepUnlessShuttingDown(for: interval)
        }
    }
}
