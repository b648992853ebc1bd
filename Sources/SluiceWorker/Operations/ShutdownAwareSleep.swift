import ServiceLifecycle

/// Sleeps for `duration`, waking early on graceful shutdown or cancellation, so loops notice
/// shutdown without waiting out a back-off.
func sleepUnlessShuttingDown(for duration: Duration) async {
    guard !Task.isShuttingDownGracefully, !Task.isCancelled else { return }
    try? await cancelWhenGracefulShutdown {
        try await Task.sleep(for: duration)
    }
}

/// Whether a service loop should stop taking new work.
var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }
