public import Foundation
public import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle
public import SluiceCore
public import SluiceRedis

/// `sluice console`: the operator's web view of queues, endpoints, events and dead letters.
///
/// Read-mostly; replaying and purging dead letters need a session signed in with the operator
/// token. Binds to loopback by default.
public struct ConsoleServer: Sendable {
    /// Add to a `ServiceGroup`.
    public let services: [any Service]

    /// - Parameters:
    ///   - stores: every partition's store (more are read as the recorded count grows).
    ///   - token: the operator token; nil makes the console read-only.
    ///   - onListening: called with the bound port once it accepts connections.
    public init(
        host: String, port: Int, routes: RoutesConfig, stores: WorkerStores, token: String?, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        let router = Router(context: ConsoleRequestContext.self)
        ConsoleController(stores: stores, routes: routes, sessions: ConsoleSessions(token: token), pages: ConsolePages(), logger: logger)
            .register(on: router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "sluice-console"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
        services = [app]
    }
}
