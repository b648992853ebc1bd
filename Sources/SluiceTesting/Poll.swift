/// The error `poll(until:timeout:interval:)` throws when its deadline passes.
public struct PollTimeout: Error, CustomStringConvertible {
    /// What was being waited for.
    public let what: String
    /// How long it waited.
    public let timeout: Duration
    /// Where `poll` was called.
    public let location: String

    /// "<what> did not happen within <timeout> (file:line)".
    public var description: String { "\(what) did not happen within \(timeout) (\(location))" }
}

/// Checks `condition` every `interval` until it holds, and throws `PollTimeout` if it still does
/// not hold after `timeout`. Use it instead of sleeping in tests.
///
/// Errors thrown by `condition` are treated as "not yet" until the deadline, then rethrown.
public func poll(
    until condition: () async throws -> Bool,
    timeout: Duration = .seconds(5),
    interval: Duration = .milliseconds(20),
    _ what: String = "the polled condition",
    fileID: String = #fileID,
    line: Int = #line
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        var lastError: (any Error)?
        do {
            if try await condition() { return }
        } catch {
            lastError = error
        }
        if ContinuousClock.now >= deadline {
            if let lastError { throw lastError }
            throw PollTimeout(what: what, timeout: timeout, location: "\(fileID):\(line)")
        }
        try await Task.sleep(for: interval)
    }
}
