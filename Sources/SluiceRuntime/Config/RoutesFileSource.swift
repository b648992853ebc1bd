import Foundation
import SluiceCore
import Synchronization

/// Reads routes.yaml from disk and resolves `${env:…}` / `${file:…}` against this process.
///
/// The core loader is pure; this is the one place that touches the file system for it.
/// Its description names the path only: the environment it holds carries secrets.
public struct RoutesFileSource: Sendable, CustomStringConvertible, CustomReflectable {
    /// Path as the operator gave it (shown in diagnostics).
    public var path: String
    /// Environment used for `${env:NAME}`; the process environment unless overridden (tests).
    public var environment: [String: String]
    /// `--allow-missing-secrets`: check structure only.
    public var allowMissingSecrets: Bool

    public init(path: String, environment: [String: String] = ProcessInfo.processInfo.environment, allowMissingSecrets: Bool = false) {
        self.path = path
        self.environment = environment
        self.allowMissingSecrets = allowMissingSecrets
    }

    public var description: String { "routes file \(path)" }

    /// `dump` and debuggers see the path only, too.
    public var customMirror: Mirror { Mirror(self, children: ["path": path]) }

    /// Reads the raw bytes, so a watcher can tell whether anything changed.
    public func readBytes() throws(RoutesFileError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "file is not readable" : "no such file"
            throw RoutesFileError(diagnostics: [
                RoutesDiagnostic(path: path, line: 1, column: 1, severity: .error, message: "cannot read routes file: \(reason)")
            ])
        }
        return [UInt8](data)
    }

    /// Loads and validates the file; every problem comes back as a `FILE:LINE:COL: message` diagnostic.
    public func load() throws(RoutesFileError) -> LoadedRoutes {
        try load(bytes: readBytes())
    }

    /// Validates already-read bytes (the watcher reads once, then loads what it read).
    public func load(bytes: [UInt8]) throws(RoutesFileError) -> LoadedRoutes {
        let text = String(decoding: bytes, as: UTF8.self)
        let read = Mutex<[String: [UInt8]?]>([:])
        let result = RoutesLoader.load(
            text: text,
            path: path,
            environment: environment,
            readSecretFile: { secretPath in
                let data = Self.readSecretFile(secretPath)
                read.withLock { $0[secretPath] = data }
                guard let data else { throw SecretFileUnreadable(path: secretPath) }
                // Secret files from Kubernetes Secrets usually end with a newline that is not part of the secret.
                return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            },
            allowMissingSecrets: allowMissingSecrets
        )
        let secretFiles = read.withLock { $0 }
        guard let config = result.config else {
            throw RoutesFileError(diagnostics: result.diagnostics, secretFiles: secretFiles)
        }
        return LoadedRoutes(config: config, warnings: result.diagnostics.filter { $0.severity == .warning }, secretFiles: secretFiles)
    }

    /// The raw bytes of a `${file:…}` secret file, or nil when it cannot be read.
    public static func readSecretFile(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }
}

/// A validated routes file and the warnings it produced.
public struct LoadedRoutes: Sendable {
    public var config: RoutesConfig
    public var warnings: [RoutesDiagnostic]
    /// Every `${file:…}` the load read, with the bytes it found (nil: unreadable), so a watcher
    /// can tell when a secret rotates.
    public var secretFiles: [String: [UInt8]?] = [:]
}

/// A routes file that cannot be applied, with every problem found.
public struct RoutesFileError: Error, CustomStringConvertible, Sendable {
    public var diagnostics: [RoutesDiagnostic]
    /// The `${file:…}` secret files the failed load read (nil: unreadable), so a watcher can retry
    /// when one appears.
    public var secretFiles: [String: [UInt8]?]

    public init(diagnostics: [RoutesDiagnostic], secretFiles: [String: [UInt8]?] = [:]) {
        self.diagnostics = diagnostics
        self.secretFiles = secretFiles
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

struct SecretFileUnreadable: Error, CustomStringConvertible {
    var path: String
    /// Why, as far as the file system tells: the message already names the file.
    var description: String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        return FileManager.default.isReadableFile(atPath: path) ? "it could not be read" : "permission denied"
    }
}
