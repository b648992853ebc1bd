import ServiceLifecycle

/// Marks a process as draining the moment graceful shutdown begins, so `/readyz` fails while
/// in-flight work finishes.
///
/// Put it last in the service group: the group tells its services in reverse order, so this one
/// hears first. The optional delay keeps the process (and the services before this one) up a
/// little longer, giving load balancers time to see `/readyz` fail before the listener closes.
public struct DrainMonitor: Service {
    private let delay: Duration
    private let startDraining: @Sendable () -> Void

    public init(delay: Duration = .zero, startDraining: @escaping @Sendable () -> Void) {
        self.delay = delay
        self.startDraining = startDraining
    }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled: the group is going down without a graceful phase, nothing to announce.
            return
        }
        startDraining()
        if delay > .zero { try? await Task.sleep(for: delay) }
    }
}
