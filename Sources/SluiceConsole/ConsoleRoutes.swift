public import SluiceCore
import Synchronization

/// The routes file the console reads pages and replays with, swapped whole when routes.yaml is
/// reloaded: "fix the routes, then replay" must work from the console as from `sluice dlq replay`.
public final class ConsoleRoutes: Sendable {
    private let routes: Mutex<RoutesConfig>

    init(_ routes: RoutesConfig) {
        self.routes = Mutex(routes)
    }

    /// The routes in force now.
    public var current: RoutesConfig { routes.withLock { $0 } }

    /// Puts a validated routes file in force.
    public func apply(_ next: RoutesConfig) {
        routes.withLock { $0 = next }
    }
}
