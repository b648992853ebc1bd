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
    /// Partition 0's store, for what is kept there only.
    let store: WorkerStore
    /// Every partition's store (see `partitions()`).
    let stores: WorkerStores

    init(global: GlobalOptions) throws {
        var logger = Logger(label: "sluice.cli")
        logger.logLevel = .critical
        let source = RoutesFileSource(path: global.configPath, allowMissingSecrets: true)
        do {
            routes = try source.load().config
        } catch {
            RoutesBootstrap.report(error, path: global.configPath)
            throw ExitCode(2)
        }
        let url = try ProcessRuntime.parseRedisURL(global.redisURL)
        stores = WorkerStores(url: url, prefix: routes.redisPrefix, count: routes.redisPartitions, logger: logger)
        store = stores.store(0)
    }

    /// Reads every partition that may hold something: up to the larger of routes.yaml's
    /// `redis.partitions` and the installation's recorded count.
    func partitions() async throws -> WorkerStores {
        try await run { try await stores.growToRecord() }
    }

    func close() {
        stores.shutdown()
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
