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
/// The default deadline is generous on purpose: `poll` returns as soon as the condition holds,
/// so only a failing test waits it out, while a deadline close to a wait's usual length fails
/// on a CI machine running the whole suite at once (two such bounds did, at two to three times
/// their usual time). Pass a shorter `timeout` only where the bound is itself the behaviour
/// under test.
///
/// Errors thrown by `condition` are treated as "not yet" until the deadline, then rethrown.
public func poll(
    until condition: () async throws -> Bool,
    timeout: Duration = .seconds(30),
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
