import Foundation
import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle
public import SluiceCore
public import SluiceRedis
import SluiceRuntime

/// `sluice console`: the operator's web view of queues, endpoints, events and dead letters.
///
/// Read-mostly; replaying and purging dead letters need a session signed in with the operator
/// token. Binds to loopback by default.
public struct ConsoleServer: Sendable {
    /// Add to a `ServiceGroup`.
    public let services: [any Service]
    /// The routes the pages and actions use; `sluice console` applies each reload of routes.yaml here.
    public let routes: ConsoleRoutes

    /// The `Host` names a console listening on `listenHost` answers to: with `extra` names
    /// given, those, the listen address and loopback's names; without, the same when it listens
    /// on loopback (where DNS rebinding reaches it from the operator's browser), and any when it
    /// listens on another address (behind a proxy, which then decides who reaches it).
    public static func allowedHosts(listenHost: String, extra: [String]) -> Set<String>? {
        let listen = ConsoleHostCheck<ConsoleRequestContext>.hostName(listenHost)
        let loopback = listen == "localhost" || listen == "::1" || listen.hasPrefix("127.")
        guard loopback || !extra.isEmpty else { return nil }
        return Set(["localhost", "127.0.0.1", "::1", listen] + extra.map { ConsoleHostCheck<ConsoleRequestContext>.hostName($0) })
    }

    /// - Parameters:
    ///   - stores: every partition's store (more are read as the recorded count grows).
    ///   - token: the operator token; nil makes the console read-only.
    ///   - allowedHosts: the host names and addresses requests may name in `Host` (lowercased,
    ///     no port); nil answers any.
    ///   - onListening: called with the bound port once it accepts connections.
    public init(
        host: String, port: Int, routes: RoutesConfig, stores: WorkerStores, token: String?, allowedHosts: Set<String>?, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        // HEAD is answered for every page as its GET without the body (probes and link checkers send it).
        let router = Router(context: ConsoleRequestContext.self, options: .autoGenerateHeadEndpoints)
        if let allowedHosts { router.add(middleware: ConsoleHostCheck(allowed: allowedHosts)) }
        let inForce = ConsoleRoutes(routes)
        self.routes = inForce
        ConsoleController(stores: stores, routesInForce: inForce, sessions: ConsoleSessions(token: token), pages: ConsolePages(), logger: logger)
            .register(on: router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "sluice-console"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger.forFramework
        )
        services = [app]
    }
}
