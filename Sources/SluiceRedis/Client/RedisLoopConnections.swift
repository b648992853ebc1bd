public import Logging
public import NIOCore
import Synchronization

/// One `RedisLoopConnection` per SwiftNIO event loop, so each caller gets the connection whose I/O
/// runs on its own loop (no thread hand-off for a command or its reply).
///
/// Connections are made on first request for a loop, or ahead of time with `prepare(_:)`.
public final class RedisLoopConnections: Sendable {
    private struct Registry {
        /// Keyed by the loop's identity; each connection keeps its loop alive, so keys stay valid.
        var connections: [ObjectIdentifier: RedisLoopConnection] = [:]
        var closed = false
    }

    /// The server the connections talk to (`description` hides the password).
    public let url: RedisURL
    private let options: RedisLoopConnection.Options
    private let logger: Logger
    private let registry = Mutex(Registry())

    public init(url: RedisURL, options: RedisLoopConnection.Options = .init(), logger: Logger) {
        self.url = url
        self.options = options
        self.logger = logger
    }

    /// Starts a connection on every loop of `group` now, so the first requests do not wait for a connect.
    public func prepare(_ group: any EventLoopGroup) {
        for loop in group.makeIterator() {
            _ = connection(on: loop)
        }
    }

    /// The connection on `eventLoop`, created (and connecting) on first use. After `close()` it is
    /// a closed connection whose commands fail with `.clientShutdown`.
    public func connection(on eventLoop: any EventLoop) -> RedisLoopConnection {
        registry.withLock { registry in
            let key = ObjectIdentifier(eventLoop)
            if let existing = registry.connections[key] { return existing }
            let made = RedisLoopConnection(url: url, eventLoop: eventLoop, options: options, logger: logger, closed: registry.closed)
            registry.connections[key] = made
            return made
        }
    }

    /// ``RedisLoopConnection/reconnectNow()`` for every connection.
    public func reconnectNow() {
        for connection in registry.withLock({ Array($0.connections.values) }) {
            connection.reconnectNow()
        }
    }

    /// Closes every connection: commands still waiting fail with `.clientShutdown`. Idempotent.
    public func close() async {
        let connections = registry.withLock { registry in
            registry.closed = true
            return Array(registry.connections.values)
        }
        for connection in connections {
            await connection.close()
        }
    }
}
