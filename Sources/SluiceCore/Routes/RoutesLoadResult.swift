/// What `RoutesLoader.load` found: a configuration when the file is valid, and every diagnostic.
public struct RoutesLoadResult: Sendable {
    /// The validated configuration; nil when any diagnostic is an error.
    public var config: RoutesConfig?
    /// Errors and warnings in file order.
    public var diagnostics: [RoutesDiagnostic]

    /// Creates a result.
    public init(config: RoutesConfig?, diagnostics: [RoutesDiagnostic]) {
        self.config = config
        self.diagnostics = diagnostics
    }

    /// The diagnostics that make the file invalid.
    public var errors: [RoutesDiagnostic] { diagnostics.filter { $0.severity == .error } }

    /// The diagnostics that do not.
    public var warnings: [RoutesDiagnostic] { diagnostics.filter { $0.severity == .warning } }
}
