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
        /// The longest the engine thread waits when curl has no timer running: a safety net only,
        /// since a submission wakes it at once. Tests lengthen it so a lost wake-up shows.
        public var idleWait: Duration

        /// Creates a configuration.
        public init(
            connectTimeout: Duration = .seconds(10), maxConnectionsPerHost: Int = 0, maxCachedConnections: Int = 512,
            idleWait: Duration = .seconds(1)
        ) {
            self.connectTimeout = connectTimeout
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxCachedConnections = maxCachedConnections
            self.idleWait = idleWait
        }
    }
}
