import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceRedis
import SluiceRuntime

/// What operator commands (`dlq`, `events`, `status`) need: the routes file (for the key
/// prefix and, for replays of `no_route`, the routes) and a Redis connection.
///
/// Secrets are not resolved: an operator's shell rarely has the tenants' secrets, and no
/// operator command signs anything.
struct OperatorContext {
    let routes: RoutesConfig
    let store: WorkerStore
    private let client: RedisClient

    init(global: GlobalOptions) throws {
        var logger = Logger(label: "sluice.cli")
        logger.logLevel = .critical
        let source = RoutesFileSource(path: global.configPath, allowMissingSecrets: true)
        do {
            routes = try source.load().config
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
        var url = try ProcessRuntime.parseRedisURL(global.redisURL)
        url.clusterTag = routes.redisPrefix
        client = RedisClient(url: url, logger: logger)
        store = WorkerStore(client: client, blockingClient: client, keyspace: Keyspace(prefix: routes.redisPrefix))
    }

    func close() {
        client.shutdown()
    }

    /// Runs `body`, turning Redis failures into a one-line error and exit 1.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RedisError {
            FileHandle.standardError.write(Data("sluice: redis: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
