import Foundation
import SluiceDelivery
import SluiceRedis

/// One `sluice edge` or `sluice worker` process slot: started on a fresh loopback port, killed,
/// terminated and started again by faults. Its log accumulates across restarts.
actor SluiceProcess {
    nonisolated let name: String
    private let executable: String
    private let log: String
    private let client: HTTPClient
    private let arguments: @Sendable (Int) -> [String]
    private var child: ChildProcess?
    private var port = 0

    init(name: String, executable: String, log: String, client: HTTPClient, arguments: @escaping @Sendable (Int) -> [String]) {
        self.name = name
        self.executable = executable
        self.log = log
        self.client = client
        self.arguments = arguments
    }

    /// The port while the process runs, else nil.
    var livePort: Int? {
        guard let child, !child.exit.hasExited else { return nil }
        return port
    }

    /// Starts the process and waits until its `/readyz` answers 200.
    ///
    /// A process that exits before it is ready (most often because something else took the port
    /// between the pick and the bind) is started again on another port, up to three times.
    func start() async throws(ChaosError) {
        for attempt in 1...3 {
            guard let chosen = FreePort.pick() else { throw ChaosError("no free loopback port for \(name)") }
            let process: ChildProcess
            do {
                process = try ChildProcess.spawn(executable: executable, arguments: arguments(chosen), logPath: log)
            } catch {
                throw ChaosError("cannot start \(name) (\(executable)): \(error.message)")
            }
            child = process
            port = chosen
            let readyz = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(chosen)/readyz", timeout: .seconds(2))
            // Generous: debug binaries on two busy cores can take many seconds to come up.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline && !process.exit.hasExited {
                if (try? await client.execute(readyz))?.status == 200 { return }
                try? await Task.sleep(for: .milliseconds(50))
            }
            if !process.exit.hasExited {
                process.send(SIGKILL)
                await process.exit.wait()
                throw .processNotReady(name, status: nil, log: log)
            }
            if attempt == 3 { throw .processNotReady(name, status: process.exit.status, log: log) }
        }
    }

    /// `kill -9`, as a crash or an OOM kill would; returns once it is gone.
    func kill() async {
        guard let child else { return }
        child.send(SIGKILL)
        await child.exit.wait()
    }

    /// SIGTERM and wait up to `timeout` for the graceful exit; returns its status, or nil when it
    /// had to be killed.
    func terminate(timeout: Duration) async -> Int32? {
        guard let child, !child.exit.hasExited else { return child?.exit.status }
        child.send(SIGTERM)
        if await child.exit.wait(timeout: timeout) { return child.exit.status }
        child.send(SIGKILL)
        await child.exit.wait()
        return nil
    }

    /// Sends `signal` (e.g. SIGHUP) if the process runs.
    func send(_ signal: Int32) {
        child?.send(signal)
    }
}
