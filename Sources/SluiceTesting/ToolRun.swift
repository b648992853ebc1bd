import Foundation
import SluiceRedis

/// Runs a command-line tool (openssl, scripts/chart-check, python3…) to completion for a test.
///
/// The wait happens on a thread of its own: the pipe reads and `waitpid` block, and blocking
/// one of the cooperative pool's threads (two on a 2-core machine) stalls every async test
/// running beside it. Spawned with `posix_spawn` (`ChildProcess.capture`), not Foundation's
/// `Process`, which crashed listing this process's descriptors while other tests opened thousands.
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
        let (status, output) = try ChildProcess.capture(
            executable: executable.path, arguments: arguments, input: input, directory: directory?.path,
            mergingStandardError: mergingStandardError)
        return Result(status: status, output: output)
    }
}
