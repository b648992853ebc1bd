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
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
    }
}
