import SluiceCore

/// Everything the edge derives from one routes file, swapped whole on reload.
///
/// Requests read one snapshot and use it to the end, so a reload mid-request never mixes two
/// configurations. Classes, not structs: a request holds its snapshot and source by one
/// reference instead of copying (and retaining) every field of the configuration.
final class EdgeSnapshot: Sendable {
    final class Source: Sendable {
        let config: SourceConfig
        let verifier: WebhookVerifier
        let counters: IngressMetrics.SourceCounters
        /// How long the worker keeps an event's log, which lives in the key the edge creates.
        let logRetention: Duration
        /// The replicas an accepted event must reach before it is acknowledged
        /// (`durability: replicated`), else nil.
        let replication: RedisReplication?

        init(config: SourceConfig, routes: RoutesConfig, counters: IngressMetrics.SourceCounters) {
            self.config = config
            self.logRetention = routes.worker.attemptLogRetention
            self.replication = routes.redisDurability == .replicated ? routes.redisReplication : nil
            self.verifier = WebhookVerifier(
                hmacSecrets: config.hmacSecrets,
                toleranceSeconds: config.tolerance.components.seconds,
                audience: config.jwks?.audience
            )
            self.counters = counters
        }

        /// Whether verification can need keys fetched from a JWKS URL (and so may have to wait).
        var hasKeySet: Bool { config.jwks != nil }
    }

    let routes: RoutesConfig
    let sources: [String: Source]
    /// The counters for calls naming a source that is not configured.
    let unknownSource: IngressMetrics.SourceCounters

    init(routes: RoutesConfig, metrics: IngressMetrics) {
        self.routes = routes
        self.sources = routes.sources.mapValues { Source(config: $0, routes: routes, counters: metrics.counters(source: $0.name)) }
        self.unknownSource = metrics.unknownSource
    }
}
