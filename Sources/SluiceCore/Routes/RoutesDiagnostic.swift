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

    /// Creates a diagnostic.
    public init(path: String, line: Int, column: Int, severity: Severity, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    /// `FILE:LINE:COL: message` for errors, `FILE:LINE:COL: warning: message` for warnings.
    public var description: String {
        switch severity {
        case .error: "\(path):\(line):\(column): \(message)"
        case .warning: "\(path):\(line):\(column): warning: \(message)"
        }
    }
}
