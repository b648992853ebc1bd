import SluiceCore

/// Everything the edge derives from one routes file, swapped whole on reload.
///
/// Requests read one snapshot and use it to the end, so a reload mid-request
/// never mixes two configurations.
struct EdgeSnapshot: Sendable {
    struct Source: Sendable {
        var config: SourceConfig
        var verifier: WebhookVerifier
    }

    var routes: RoutesConfig
    var sources: [String: Source]

    init(routes: RoutesConfig) {
        self.routes = routes
        self.sources = routes.sources.mapValues { source in
            Source(
                config: source,
                verifier: WebhookVerifier(
                    hmacSecrets: source.hmacSecrets,
                    toleranceSeconds: source.tolerance.components.seconds,
                    audience: source.jwks?.audience
                )
            )
        }
    }
}
