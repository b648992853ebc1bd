import ArgumentParser
import Foundation
import Logging
import SluiceRuntime

/// Loads routes.yaml at start-up: a process never starts on a file that does not validate.
enum RoutesBootstrap {
    /// Prints every diagnostic and exits 2 when the file is invalid.
    static func load(_ source: RoutesFileSource, logger: Logger) throws -> (LoadedRoutes, [UInt8]) {
        do {
            let bytes = try source.readBytes()
            let loaded = try source.load(bytes: bytes)
            for warning in loaded.warnings { logger.warning("\(warning)") }
            return (loaded, bytes)
        } catch {
            report(error, path: source.path)
            throw ExitCode(2)
        }
    }

    /// Prints a load failure's diagnostics; when there is no file at all, also where the path
    /// comes from (the default is `routes.yaml` in the working directory).
    static func report(_ error: RoutesFileError, path: String) {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        if !FileManager.default.fileExists(atPath: path) {
            FileHandle.standardError.write(Data("(give the routes file's path with --config or SLUICE_CONFIG)\n".utf8))
        }
    }
}
