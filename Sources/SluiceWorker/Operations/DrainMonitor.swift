import ServiceLifecycle

/// Marks the worker as draining the moment graceful shutdown begins, so `/readyz` fails while
/// the stages finish their in-flight work.
///
/// It is the last service of the group, so it is told first.
struct DrainMonitor: Service {
    let state: WorkerState

    func run() async throws {
        do {
            try await gracefulShutdown()
            state.startDraining()
        } catch {
            // Cancelled: the group is going down without a graceful phase.
        }
    }
}
