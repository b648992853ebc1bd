import Synchronization

/// Lets async code await a child process's exit, which Foundation reports on a thread of its own.
public final class ProcessExit: Sendable {
    private struct State {
        var exited = false
        var status: Int32?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Whether the process has exited.
    public var hasExited: Bool { state.withLock { $0.exited } }

    /// The exit code, or minus the signal number that ended the process; nil while it runs.
    public var status: Int32? { state.withLock { $0.status } }

    /// Called from the process's termination handler.
    func markExited(status: Int32) {
        let waiters = state.withLock { state in
            state.exited = true
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the process has exited.
    public func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.exited { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Waits for the exit for at most `timeout`; returns whether the process exited.
    public func wait(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}
