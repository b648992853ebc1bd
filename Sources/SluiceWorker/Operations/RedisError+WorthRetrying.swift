import SluiceRedis

extension RedisError {
    /// Whether a write that failed this way may go through if sent again soon: Redis unreachable,
    /// timing out or refusing writes for now — not this process's own client shutting down.
    var isWorthRetrying: Bool { isUnavailable && kind != .clientShutdown }
}
