import SluiceRedis

/// Runs `operation` until it succeeds, retrying briefly (5 tries over about 2 s, plus each try's
/// own time) while Redis is unavailable; returns the error it gave up on, or nil. `stopping`
/// ends the retries early (a stage shutting down leaves the rest to the reclaim).
///
/// For writes whose scripts guard each entry (one an earlier try applied is no longer pending,
/// and is skipped), so a try whose reply was lost can be repeated.
func retryingWhileUnavailable(
    stopping: () -> Bool = { false }, _ operation: () async throws(RedisError) -> Void
) async -> RedisError? {
    var lastError: RedisError?
    for tryNumber in 0..<5 {
        if tryNumber > 0 {
            if stopping() { break }
            try? await Task.sleep(for: .milliseconds(200 * tryNumber))
        }
        do {
            try await operation()
            return nil
        } catch {
            lastError = error
            guard error.isWorthRetrying else { break }
        }
    }
    return lastError
}
