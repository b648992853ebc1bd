import Foundation
import SluiceRedis

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

    /// Starts `sluice ARGS…` with its output in `log`.
    static func start(_ arguments: [String], log: String, environment: [String: String] = [:]) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        return try ChildProcess.spawn(executable: path, arguments: arguments, logPath: log, environment: env)
    }

    /// Runs `sluice ARGS…` to completion; returns its exit code and output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-run-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let child = try start(arguments, log: log, environment: environment)
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
