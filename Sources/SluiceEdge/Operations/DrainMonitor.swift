import ServiceLifecycle

/// Marks the edge as draining the moment graceful shutdown begins, so `/readyz` fails
/// and load balancers stop sending new calls while in-flight requests finish.
///
/// It sits after the HTTP server in the service group, so it is told first; the
/// optional delay gives load balancers time to notice before the server stops listening.
struct DrainMonitor: Service {
    let state: EdgeState
    let delay: Duration

    func run() async throws {
        await withGracefulShutdownHandler {
            // Park until shutdown; cancellation ends the wait too.
            let (stream, _) = AsyncStream<Never>.makeStream()
            for await _ in stream.cancelOnGracefulShutdown() {}
        } onGracefulShutdown: {
            state.startDraining()
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
    }
}
