import Logging
import Synchronization
import SluiceCore
import SluiceDelivery

/// The edge's mutable state: the routes snapshot in force, one JWKS cache per source, and draining.
final class EdgeState: Sendable {
    private let snapshot: Mutex<EdgeSnapshot>
    private let keySets: Mutex<[String: JWKSCache]>
    private let draining = Atomic<Bool>(false)
    private let httpClient: HTTPClient
    private let metrics: IngressMetrics
    private let logger: Logger

    init(routes: RoutesConfig, httpClient: HTTPClient, metrics: IngressMetrics, logger: Logger) {
        self.snapshot = Mutex(EdgeSnapshot(routes: routes, metrics: metrics))
        self.keySets = Mutex([:])
        self.httpClient = httpClient
        self.metrics = metrics
        self.logger = logger
    }

    var current: EdgeSnapshot { snapshot.withLock { $0 } }

    /// Swaps in a validated routes file.
    func apply(_ routes: RoutesConfig) {
        let next = EdgeSnapshot(routes: routes, metrics: metrics)
        snapshot.withLock { $0 = next }
    }

    /// The JWKS cache of a source, keyed by its URL so a changed URL starts afresh.
    func keySetCache(for source: SourceConfig) -> JWKSCache? {
        guard let jwks = source.jwks else { return nil }
        let key = "\(source.name) \(jwks.url)"
        return keySets.withLock { caches in
            if let cache = caches[key] { return cache }
            let cache = JWKSCache(url: jwks.url, source: source.name, httpClient: httpClient, logger: logger)
            caches[key] = cache
            return cache
        }
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }

    func startDraining() { draining.store(true, ordering: .relaxed) }
}
