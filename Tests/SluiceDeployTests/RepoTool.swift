import Foundation
import SluiceTesting

/// Runs the repository's external tools (chartcheck, python3, hadolint) for the deployment tests.
enum RepoTool {
    /// The repository root: this file is Tests/SluiceDeployTests/RepoTool.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/tools/chartcheck/chartcheck`, beside the checkout.
    static let chartcheck = root.appendingPathComponent("../shared/tools/chartcheck/chartcheck").standardizedFileURL

    /// The chart under test, relative to ``root``.
    static let chart = "charts/sluice"

    /// What a finished process printed (stdout and stderr together) and how it exited.
    struct Result {
        let status: Int32
        let output: String
    }

    /// Runs `executable` with `arguments` in the repository root and waits for it (off the
    /// cooperative pool: chartcheck takes seconds).
    static func run(_ executable: URL, _ arguments: [String], input: String? = nil) async throws -> Result {
        let result = try await ToolRun.run(executable, arguments, input: input.map { Array($0.utf8) }, in: root)
        return Result(status: result.status, output: result.text)
    }

    /// Runs a program found on PATH (through /usr/bin/env).
    static func run(program: String, _ arguments: [String], input: String? = nil) async throws -> Result {
        try await run(URL(fileURLWithPath: "/usr/bin/env"), [program] + arguments, input: input)
    }

    /// Runs chartcheck on the chart with `arguments` appended.
    static func chartcheck(_ arguments: [String]) async throws -> Result {
        try await run(chartcheck, [chart] + arguments)
    }

    /// Runs a Python 3 script (given on stdin) with `arguments` as sys.argv[1...].
    static func python(_ script: String, _ arguments: [String] = []) async throws -> Result {
        try await run(program: "python3", ["-"] + arguments, input: script)
    }

    /// Whether `program` is on PATH.
    static func onPath(_ program: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(program)")
        }
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
