/// One problem found in a routes file, located by 1-based line and column.
///
/// Messages name the offending key or value but never a secret value.
public struct RoutesDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Equatable {
        /// The file is not applied.
        case error
        /// The file is applied, but something is probably wrong (for example a private endpoint address).
        case warning
    }

    /// The file's display path, as the caller gave it.
    public var path: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int
    /// Error or warning.
    public var severity: Severity
    /// What is wrong and, where possible, how to fix it.
    public var message: String
    /// Set when this is a secret reference that could not be resolved (an unset variable, an
    /// unreadable `${file:}`), naming whose block it is in; nil for every other diagnostic.
    public var unresolvedSecret: UnresolvedSecret?

    /// Where an unresolved secret reference stands in routes.yaml.
    public struct UnresolvedSecret: Sendable, Equatable {
        /// The source whose block names it; nil for a tenant's secrets and endpoint headers.
        public var source: String?

        public init(source: String?) {
            self.source = source
        }
    }

    /// Creates a diagnostic.
    public init(path: String, line: Int, column: Int, severity: Severity, message: String, unresolvedSecret: UnresolvedSecret? = nil) {
        self.path = path
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
        self.unresolvedSecret = unresolvedSecret
    }

    /// `FILE:LINE:COL: message` for errors, `FILE:LINE:COL: warning: message` for warnings.
    public var description: String {
        switch severity {
        case .error: "\(path):\(line):\(column): \(message)"
        case .warning: "\(path):\(line):\(column): warning: \(message)"
        }
    }
}
