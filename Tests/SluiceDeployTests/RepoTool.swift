import Foundation
import SluiceTesting
import Testing

/// Runs the repository's tools for the deployment tests: scripts/chart-check and the Python
/// and hadolint of the venv that scripts/test-setup makes (.venv-tools).
enum RepoTool {
    /// The repository root: this file is Tests/SluiceDeployTests/RepoTool.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The command that installs the venv; `scripts/test` runs it before `swift test`.
    static let setupCommand = "scripts/test-setup"

    /// The project's offline chart checker (helm lint --strict, render, schema validation).
    static let chartCheckScript = root.appendingPathComponent("scripts/chart-check")

    /// The chart under test, relative to ``root``.
    static let chart = "charts/sluice"

    /// What a finished process printed (stdout and stderr together) and how it exited.
    struct Result {
        let status: Int32
        let output: String
    }

    /// Runs `executable` with `arguments` in the repository root and waits for it (off the
    /// cooperative pool: chart-check takes seconds).
    static func run(_ executable: URL, _ arguments: [String], input: String? = nil) async throws -> Result {
        let result = try await ToolRun.run(executable, arguments, input: input.map { Array($0.utf8) }, in: root)
        return Result(status: result.status, output: result.text)
    }

    /// A program installed by ``setupCommand``. Without the venv the calling test fails and says
    /// how to make it: skipping would let a run without the chart checks look green.
    static func venvProgram(_ name: String) throws -> URL {
        let program = root.appendingPathComponent(".venv-tools/bin/\(name)")
        try #require(
            FileManager.default.isExecutableFile(atPath: program.path),
            "\(program.path) is missing: run \(setupCommand) (scripts/test runs it, then swift test)"
        )
        return program
    }

    /// Runs chart-check on the chart with `arguments` appended.
    static func chartCheck(_ arguments: [String]) async throws -> Result {
        try await run(venvProgram("python3"), [chartCheckScript.path, chart] + arguments)
    }

    /// Runs a Python 3 script (given on stdin) with `arguments` as sys.argv[1...], with PyYAML.
    static func python(_ script: String, _ arguments: [String] = []) async throws -> Result {
        try await run(venvProgram("python3"), ["-"] + arguments, input: script)
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
