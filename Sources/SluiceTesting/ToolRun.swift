import Foundation

/// Runs a command-line tool (openssl, scripts/chart-check, python3…) to completion for a test.
///
/// The wait happens on a thread of its own: `waitUntilExit` and pipe reads block, and blocking
/// one of the cooperative pool's threads (two on a 2-core machine) stalls every async test
/// running beside it.
public enum ToolRun {
    public struct Result: Sendable {
        public let status: Int32
        /// Standard output, followed by standard error when it was merged.
        public let output: [UInt8]

        public var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`, feeding it `input`, and waits for it to exit.
    ///
    /// - Parameters:
    ///   - directory: the working directory (the test process's when nil).
    ///   - mergingStandardError: collect standard error into `output` too; when false it is discarded.
    public static func run(
        _ executable: URL, _ arguments: [String], input: [UInt8]? = nil, in directory: URL? = nil, mergingStandardError: Bool = true
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Swift.Result<Result, any Error> {
                    try runBlocking(executable, arguments, input: input, directory: directory, mergingStandardError: mergingStandardError)
                })
            }.start()
        }
    }

    private static func runBlocking(
        _ executable: URL, _ arguments: [String], input: [UInt8]?, directory: URL?, mergingStandardError: Bool
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = mergingStandardError ? output : FileHandle.nullDevice
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input))
        }
        try stdin.fileHandleForWriting.close()
        // Read before waiting, so a chatty process cannot fill the pipe and block.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: [UInt8](data))
    }
}
