import ArgumentParser
import Foundation
import SluiceCore
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

    @Flag(help: "Print one JSON object on stdout: valid, and every diagnostic with file, line, column, severity and message. The exit code is the same (0 valid, 2 invalid).")
    var json = false

    func run() throws {
        let source = RoutesFileSource(path: file, allowMissingSecrets: allowMissingSecrets)
        let loaded: LoadedRoutes
        do {
            loaded = try source.load()
        } catch {
            if json {
                print(JSONOutput.line(["file": file, "valid": false, "diagnostics": error.diagnostics.map(Self.object)]))
            } else {
                for diagnostic in error.diagnostics {
                    FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
                }
                // Checking a file away from where it runs, its secrets are often not there to read.
                if !allowMissingSecrets, error.diagnostics.contains(where: { $0.unresolvedSecret != nil }) {
                    FileHandle.standardError.write(Data(
                        "(set the secrets it references, or pass --allow-missing-secrets to check everything else)\n".utf8))
                }
            }
            throw ExitCode(2)
        }
        let config = loaded.config
        let endpoints = config.tenants.values.reduce(0) { $0 + $1.endpoints.count }
        if json {
            let counts = ["sources": config.sources.count, "tenants": config.tenants.count, "endpoints": endpoints, "routes": config.routes.count]
            print(JSONOutput.line(["file": file, "valid": true, "diagnostics": loaded.warnings.map(Self.object), "counts": counts]))
            return
        }
        // Warnings go where errors go, so `routes check > /dev/null` still shows them.
        for warning in loaded.warnings { FileHandle.standardError.write(Data((warning.description + "\n").utf8)) }
        print("\(file): ok — \(config.sources.count) source(s), \(config.tenants.count) tenant(s), \(endpoints) endpoint(s), \(config.routes.count) route(s)")
    }

    private static func object(_ diagnostic: RoutesDiagnostic) -> [String: Any] {
        [
            "file": diagnostic.path, "line": diagnostic.line, "column": diagnostic.column,
            "severity": diagnostic.severity.rawValue, "message": diagnostic.message,
        ]
    }
}
