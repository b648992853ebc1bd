import Logging
import SluiceRedis

extension WorkerStore {
    /// Creates the consumer groups, retrying until Redis answers or the process stops, and
    /// marks the worker ready when they exist.
    func ensureGroupsRetrying(state: WorkerState, logger: Logger) async {
        var outage = OutageLog(failing: "cannot create the consumer groups", resumed: "consumer groups created")
        let partition: Logger.Metadata = ["partition": "\(keyspace.partition)"]
        while !isStopping {
            do {
                try await ensureGroups()
                outage.succeeded(logger: logger, metadata: partition)
                state.markGroupsReady()
                return
            } catch {
                outage.failed(error, logger: logger, metadata: partition)
                await sleepUnlessShuttingDown(for: .seconds(1))
            }
        }
    }
}
