import ArgumentParser
import Foundation
import SluiceRuntime

/// `sluice routes check FILE`: exit 0, or 2 with `FILE:LINE:COL: message` per problem.
struct RoutesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a routes file; print FILE:LINE:COL: message for each problem."
    )

    @Argument(help: "The routes file.")
    var file: String

    @Flag(help: "Check structure only; do not require ${env:…} and ${file:…} secrets to resolve (for CI without secrets).")
    var allowMissingSecrets = false

    func run() throws {
        let source = RoutesFileSource(path: file, allowMissingSecrets: allowMissingSecrets)
        do {
            let loaded = try source.load()
            for warning in loaded.warnings { print(warning.description) }
            let config = loaded.config
            let endpoints = config.tenants.values.reduce(0) { $0 + $1.endpoints.count }
            print("\(file): ok — \(config.sources.count) source(s), \(config.tenants.count) tenant(s), \(endpoints) endpoint(s), \(config.routes.count) route(s)")
        } catch {
            for diagnostic in error.diagnostics {
                FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
            }
            throw ExitCode(2)
        }
    }
}
