extension HTTPClient {
    /// Engine-wide settings; per-request settings live on ``HTTPRequest``.
    public struct Configuration: Sendable, Hashable {
        /// Connect timeout used when a request sets none (always capped by the request's total timeout).
        public var connectTimeout: Duration
        /// Upper bound on simultaneous connections to one host; 0 means no bound
        /// (per-endpoint in-flight limits live above this engine).
        public var maxConnectionsPerHost: Int
        /// How many idle kept-alive connections the shared cache holds for reuse.
        public var maxCachedConnections: Int

        /// Creates a configuration.
        public init(connectTimeout: Duration = .seconds(10), maxConnectionsPerHost: Int = 0, maxCachedConnections: Int = 512) {
            self.connectTimeout = connectTimeout
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxCachedConnections = maxCachedConnections
        }
    }
}
