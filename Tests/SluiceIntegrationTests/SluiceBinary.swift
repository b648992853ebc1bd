import Foundation
import SluiceDelivery
import SluiceRedis
import SluiceTesting

/// The `sluice` executable that `swift test` built, run as a separate process.
enum SluiceBinary {
    static var path: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for candidate in [".build/debug/sluice", ".build/x86_64-unknown-linux-gnu/debug/sluice", ".build/aarch64-unknown-linux-gnu/debug/sluice"] {
            let url = root.appendingPathComponent(candidate)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        return root.appendingPathComponent(".build/debug/sluice").path
    }

    /// Starts `sluice ARGS…` with its output in `log`: this process's environment with
    /// `environment` added and the variables named in `unsetting` removed.
    /// `openFiles` runs it with that many descriptors at most (soft and hard limit); `hostsFile`
    /// runs it in a mount namespace of its own where that file is /etc/hosts (needs root, as the
    /// tests and CI run). `ownProcessGroup` makes it lead a process group, as a shell's job does,
    /// so that a signal to the group (`kill(-pid, …)`) is a terminal's Ctrl-C.
    static func start(
        _ arguments: [String], log: String, environment: [String: String] = [:], unsetting: Set<String> = [], openFiles: Int? = nil,
        hostsFile: String? = nil, ownProcessGroup: Bool = false
    ) throws -> ChildProcess {
        let env = childEnvironment(environment, unsetting: unsetting)
        if ownProcessGroup {
            return try ChildProcess.spawn(executable: path, arguments: arguments, logPath: log, environment: env, ownProcessGroup: true)
        }
        if let hostsFile {
            return try ChildProcess.spawn(
                executable: "/usr/bin/unshare",
                arguments: ["--mount", "--propagation", "private", "/bin/sh", "-c", "mount --bind '\(hostsFile)' /etc/hosts && exec \"$0\" \"$@\"", path]
                    + arguments,
                logPath: log, environment: env)
        }
        guard let openFiles else { return try ChildProcess.spawn(executable: path, arguments: arguments, logPath: log, environment: env) }
        // The shell execs sluice in its place, so the child's pid is sluice's.
        return try ChildProcess.spawn(
            executable: "/bin/sh", arguments: ["-c", "ulimit -n \(openFiles) && exec \"$0\" \"$@\"", path] + arguments, logPath: log,
            environment: env)
    }

    /// This process's environment with `added` set and the names in `unsetting` removed.
    static func childEnvironment(_ added: [String: String], unsetting: Set<String> = []) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !unsetting.contains($0.key) }
        env.merge(added) { $1 }
        return env
    }

    /// Starts a `sluice` server on a fresh loopback port and waits until its /readyz answers 200.
    ///
    /// A process that exits before it is ready (most often because another test took its port
    /// between the pick and the bind) is started again on a new port; the third early exit fails
    /// the test with the process's log rather than a bare timeout.
    /// `listenVariable`: the environment variable that gives the server its address
    /// (`SLUICE_LISTEN`), set to the port's address, for a server started without the flag.
    static func startServer(
        _ what: String, log: String, environment: [String: String] = [:], listenVariable: String? = nil, unsetting: Set<String> = [],
        openFiles: Int? = nil, hostsFile: String? = nil, ownProcessGroup: Bool = false, client: HTTPClient, arguments: (Int) -> [String]
    ) async throws -> (process: ChildProcess, port: Int) {
        var attempt = 0
        while true {
            attempt += 1
            guard let port = FreePort.pick() else { throw ExitedBeforeReady(what: what, status: -1, log: "no free loopback port") }
            // What an attempt that lost its port printed is not this attempt's log.
            if attempt > 1 { try? FileManager.default.removeItem(atPath: log) }
            var environment = environment
            if let listenVariable { environment[listenVariable] = "127.0.0.1:\(port)" }
            let process = try start(
                arguments(port), log: log, environment: environment, unsetting: unsetting, openFiles: openFiles, hostsFile: hostsFile,
                ownProcessGroup: ownProcessGroup)
            let readyz = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/readyz", timeout: .seconds(2))
            try await poll(until: {
                if process.exit.hasExited { return true }
                return (try? await client.execute(readyz))?.status == 200
            }, timeout: .seconds(30), "\(what) is ready")
            if !process.exit.hasExited { return (process, port) }
            if attempt == 3 {
                let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw ExitedBeforeReady(what: what, status: process.exit.status ?? -1, log: output)
            }
        }
    }

    /// Runs `sluice ARGS…` to completion; returns its exit code and output.
    static func run(_ arguments: [String], environment: [String: String] = [:], unsetting: Set<String> = []) async throws -> (status: Int32, output: String) {
        try await run(executable: path, arguments, environment: childEnvironment(environment, unsetting: unsetting))
    }

    /// Runs a shell command line as an operator would paste it (`sh -c LINE`), with the `sluice`
    /// under test first on PATH; returns its exit code and output.
    static func runShell(_ line: String, environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var env = childEnvironment(environment)
        env["PATH"] = folder + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        return try await run(executable: "/bin/sh", ["-c", line], environment: env)
    }

    private static func run(executable: String, _ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-run-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let child = try ChildProcess.spawn(executable: executable, arguments: arguments, logPath: log, environment: environment)
        await child.exit.wait()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (child.exit.status ?? -1, output)
    }
}

/// A scratch directory removed at the end of a test.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws -> String {
        let path = file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A `sluice` process that ended before its /readyz answered, with what it printed.
struct ExitedBeforeReady: Error, CustomStringConvertible {
    let what: String
    let status: Int32
    let log: String

    var description: String { "\(what) exited with status \(status) before it was ready:\n\(log)" }
}
