import Foundation
import Logging

/// A private `redis-server` on a loopback port, for `sluice dev` and tests.
///
/// It runs in the foreground as a child process (`--daemonize no`), writes its data and its log
/// (`redis-server.log`) to `directory`, and is stopped with `stop()`. `kill()` and `restart()` let
/// tests crash it and bring it back on the same port and data directory (AOF data is reloaded).
public actor RedisServer {
    /// The loopback port it listens on.
    public nonisolated let port: Int
    /// Its data directory.
    public nonisolated let directory: String
    /// `redis://127.0.0.1:<port>`.
    public nonisolated let url: RedisURL

    private let executable: String
    private let appendOnly: Bool
    private let appendFsync: String
    private let removeDirectoryOnStop: Bool
    /// More `redis-server` options, e.g. `--cluster-enabled yes` for a cluster node.
    private let extraArguments: [String]
    /// Out of its owner's process group (see `ChildProcess.spawn`).
    private let ownProcessGroup: Bool
    private var child: ChildProcess?

    /// The master this server replicates from its start (`restartEmpty(asReplicaOf:)`), if any.
    private var replicaOf: Int?

    private init(
        executable: String, port: Int, directory: String, appendOnly: Bool, appendFsync: String,
        removeDirectoryOnStop: Bool, extraArguments: [String], ownProcessGroup: Bool
    ) {
        self.extraArguments = extraArguments
        self.ownProcessGroup = ownProcessGroup
        self.executable = executable
        self.port = port
        self.directory = directory
        self.appendOnly = appendOnly
        self.appendFsync = appendFsync
        self.removeDirectoryOnStop = removeDirectoryOnStop
        self.url = RedisURL(endpoint: .tcp(host: "127.0.0.1", port: port))
    }

    deinit {
        // A server nobody stopped must not outlive its owner.
        child?.send(SIGKILL)
    }

    /// Starts `redis-server` from PATH and returns once it answers PING.
    ///
    /// - Parameters:
    ///   - appendOnly: turn on the append-only file (durability across restarts).
    ///   - appendFsync: `always`, `everysec` or `no`.
    ///   - port: the port to use; nil picks a free loopback port.
    ///   - directory: the data directory; nil creates a temporary one.
    ///   - keepDirectory: keep the directory after `stop()` (a temporary one is removed by default;
    ///     a directory that was passed in is never removed).
    ///   - extraArguments: more `redis-server` options (`--cluster-enabled yes`, …).
    ///   - ownProcessGroup: keep it out of this process's group, so a terminal's Ctrl-C reaches
    ///     only this process, which then stops it after its own shutdown (`sluice dev`).
    /// - Throws: `RedisError` of kind `.launchFailed`, e.g. when `redis-server` is not installed
    ///   or does not become ready.
    public static func start(
        appendOnly: Bool = false,
        appendFsync: String = "everysec",
        port: Int? = nil,
        directory: String? = nil,
        keepDirectory: Bool = false,
        extraArguments: [String] = [],
        ownProcessGroup: Bool = false
    ) async throws(RedisError) -> RedisServer {
        let executable = try findExecutable()
        let dataDirectory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-redis-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw RedisError(kind: .launchFailed, message: "cannot create the Redis data directory \(dataDirectory): \(error)")
        }

        var lastError: RedisError?
        // A picked port can be taken by someone else before redis-server binds it: try a few.
        for _ in 0..<(port == nil ? 3 : 1) {
            guard let chosen = port ?? FreePort.pick() else {
                throw RedisError(kind: .launchFailed, message: "cannot find a free loopback port for redis-server")
            }
            let server = RedisServer(
                executable: executable, port: chosen, directory: dataDirectory, appendOnly: appendOnly,
                appendFsync: appendFsync, removeDirectoryOnStop: directory == nil && !keepDirectory, extraArguments: extraArguments,
                ownProcessGroup: ownProcessGroup
            )
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error
            }
        }
        if directory == nil && !keepDirectory {
            try? FileManager.default.removeItem(atPath: dataDirectory)
        }
        throw lastError ?? RedisError(kind: .launchFailed, message: "redis-server did not start")
    }

    /// Stops the server with SIGTERM (it flushes its AOF) and waits for it to exit, then removes a
    /// temporary data directory. Idempotent.
    public func stop() async {
        await terminate()
        if removeDirectoryOnStop {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Kills the server with SIGKILL, as a crash would, and waits for it to exit. The data
    /// directory is kept so that `restart()` can reload it.
    public func kill() async {
        guard let child else { return }
        child.send(SIGKILL)
        await child.exit.wait()
    }

    /// Stops the process (SIGSTOP) without ending it: its connections stay open but it answers
    /// nothing, as a hung host would. `resume()` lets it go on.
    public func suspend() {
        child?.send(SIGSTOP)
    }

    /// Continues a process stopped by `suspend()` (SIGCONT).
    public func resume() {
        child?.send(SIGCONT)
    }

    /// Starts the server again on the same port with its data directory emptied, as a replica of
    /// the server on `masterPort` from its first instant (`--replicaof`): a new node taking over
    /// an address, which never accepts a write of its own before it has synchronised.
    ///
    /// - Throws: `RedisError` of kind `.launchFailed`.
    public func restartEmpty(asReplicaOf masterPort: Int) async throws(RedisError) {
        await terminate()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name != "redis-server.log" {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        replicaOf = masterPort
        try await launch()
    }

    /// Starts the server again on the same port and data directory (stopping it first if it runs).
    ///
    /// - Throws: `RedisError` of kind `.launchFailed`.
    public func restart() async throws(RedisError) {
        await terminate()
        try await launch()
    }

    private func terminate() async {
        guard let child else { return }
        child.send(SIGTERM)
        if await !child.exit.wait(timeout: .seconds(10)) {
            child.send(SIGKILL)
            await child.exit.wait()
        }
    }

    private func launch() async throws(RedisError) {
        let logPath = (directory as NSString).appendingPathComponent("redis-server.log")
        let child = try ChildProcess.spawn(
            executable: executable,
            arguments: [
                "--port", String(port),
                "--bind", "127.0.0.1",
                "--dir", directory,
                "--save", "",
                "--appendonly", appendOnly ? "yes" : "no",
                "--appendfsync", appendFsync,
                "--daemonize", "no",
            ] + (replicaOf.map { ["--replicaof", "127.0.0.1", String($0)] } ?? []) + extraArguments,
            logPath: logPath, ownProcessGroup: ownProcessGroup
        )
        self.child = child
        let exit = child.exit

        let probe = RedisClient(
            url: url,
            logger: Logger(label: "sluice.redis-server", factory: { _ in SwiftLogNoOpLogHandler() }),
            connectTimeout: .milliseconds(500),
            commandTimeout: .seconds(2),
            reconnectBackoff: .zero
        )
        defer { probe.shutdown() }
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            if exit.hasExited {
                throw RedisError(
                    kind: .launchFailed,
                    message: "redis-server exited during startup on port \(port): \(Self.tail(of: logPath))"
                )
            }
            let info: String
            do {
                // PING fails while the server still loads its AOF; INFO then names its process.
                try await probe.ping()
                info = try await probe.send(["INFO", "server"]).string ?? ""
            } catch {
                if ContinuousClock.now > deadline {
                    child.send(SIGKILL)
                    await exit.wait()
                    throw RedisError(
                        kind: .launchFailed,
                        message: "redis-server on port \(port) did not answer PING within 15 s: \(error.message)"
                    )
                }
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            // Another redis-server may hold the port (both picked it before either bound it): ours
            // then exits, but that one answers. Only our own counts.
            if info.contains("process_id:\(child.pid)\r") { return }
            child.send(SIGKILL)
            await exit.wait()
            throw RedisError(
                kind: .launchFailed,
                message: "another process answers on port \(port), not the redis-server started there: \(Self.tail(of: logPath))")
        }
    }

    private static func findExecutable() throws(RedisError) -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/redis-server"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        throw RedisError(
            kind: .launchFailed,
            message: "redis-server was not found on PATH; install it (Debian/Ubuntu: apt-get install redis-server) or pass --redis URL"
        )
    }

    private static func tail(of path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "(no log)" }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(5)
        return lines.isEmpty ? "(empty log)" : lines.joined(separator: " | ")
    }
}
