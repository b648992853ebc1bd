import Foundation
public import Logging
public import SluiceRedis

/// A logger for components under test: critical messages only, so expected connection failures stay quiet.
public let testLogger: Logger = {
    var logger = Logger(label: "sluice.test")
    logger.logLevel = .critical
    return logger
}()

/// What `withRedis` hands a test: a private redis-server, a client for it, and a key prefix no
/// other test uses.
public struct RedisFixture: Sendable {
    /// The running server (kill, restart, stop it to test failures).
    public let server: RedisServer
    /// A client connected to `server`.
    public let client: RedisClient
    /// A unique key prefix for this test.
    public let prefix: String
    /// The keyspace under `prefix`.
    public var keyspace: Keyspace { Keyspace(prefix: prefix) }
    /// The server's URL.
    public var url: RedisURL { server.url }
    /// A logger for components under test.
    public let logger: Logger
}

/// Starts a private redis-server on a free loopback port, runs `body` with a client for it and a
/// unique key prefix, then shuts the client down and stops the server, also when `body` throws.
///
/// - Parameters:
///   - appendOnly: turn on the AOF (on by default, as `redis.durability: write` requires; off to test that refusal).
///   - appendFsync: `always`, `everysec` or `no`.
///   - serverArguments: more `redis-server` options (`--unixsocket PATH`, …).
public func withRedis<T>(
    appendOnly: Bool = true,
    appendFsync: String = "everysec",
    serverArguments: [String] = [],
    _ body: (RedisFixture) async throws -> T
) async throws -> T {
    let server = try await RedisServer.start(appendOnly: appendOnly, appendFsync: appendFsync, extraArguments: serverArguments)
    let logger = testLogger
    let client = RedisClient(url: server.url, logger: logger)
    let fixture = RedisFixture(
        server: server,
        client: client,
        prefix: "test-\(UUID().uuidString.prefix(8).lowercased())",
        logger: logger
    )
    do {
        let result = try await body(fixture)
        client.shutdown()
        await server.stop()
        return result
    } catch {
        client.shutdown()
        await server.stop()
        throw error
    }
}
