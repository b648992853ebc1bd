import Logging
import SluiceRedis

extension WorkerStore {
    /// Creates the consumer groups, retrying until Redis answers or the process stops, and
    /// marks the worker ready when they exist.
    func ensureGroupsRetrying(state: WorkerState, logger: Logger) async {
        while !isStopping {
            do {
                try await ensureGroups()
                state.markGroupsReady()
                return
            } catch {
                logger.error("cannot create the consumer groups; retrying", metadata: ["error": "\(error)"])
                await sleepUnlessShuttingDown(for: .seconds(1))
            }
        }
    }
}
