extension Duration {
    /// A duration in routes.yaml's notation (`250ms`, `15s`, `5m`, `2h`, `7d`, `1h30m`), for
    /// command-line flags that take one; nil when `text` is not one.
    public init?(routesNotation text: String) {
        guard let value = try? RoutesScalarParser.duration(text) else { return nil }
        self = value
    }
}
