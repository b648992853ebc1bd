import Foundation
import Logging
import SluiceDelivery
import SluiceRedis
import Synchronization

/// The gateway under test: one redis-server with the AOF on, `edgeCount` `sluice edge` and
/// `workerCount` `sluice worker` processes, all real, all on 127.0.0.1, sharing one routes file.
final class ChaosCluster: Sendable {
    let redis: RedisServer
    /// Redis's replica, for the scenarios that fail over to it (`Scenario.replica`).
    let replica: RedisServer?
    /// The Redis Cluster, for the scenarios that run on one (`Scenario.cluster`); `redis` is then
    /// its first node.
    let redisCluster: RedisClusterServer?
    /// A client for the harness's own Redis calls (CONFIG SET, dead letters, status).
    let admin: RedisClient
    /// Every partition's store, for the harness's reading of queues and dead letters.
    let stores: WorkerStores
    let edges: [SluiceProcess]
    let workers: [SluiceProcess]
    let prefix: String
    let directory: String
    private let routesPath: String
    private let render: @Sendable (Int) -> String
    private let generation = Mutex(0)

    private init(redis: RedisServer, replica: RedisServer?, redisCluster: RedisClusterServer?, admin: RedisClient, stores: WorkerStores, edges: [SluiceProcess], workers: [SluiceProcess], prefix: String, directory: String, routesPath: String, render: @escaping @Sendable (Int) -> String) {
        self.redis = redis
        self.replica = replica
        self.redisCluster = redisCluster
        self.admin = admin
        self.stores = stores
        self.edges = edges
        self.workers = workers
        self.prefix = prefix
        self.directory = directory
        self.routesPath = routesPath
        self.render = render
    }

    /// Starts Redis, writes the routes file, and starts every edge and worker (in parallel).
    static func start(
        _ scenario: Scenario, sluice: String, directory: String, receiver: String, client: HTTPClient,
        edgeCount: Int = 2, workerCount: Int = 2
    ) async throws -> ChaosCluster {
        let redis: RedisServer
        var redisCluster: RedisClusterServer?
        do {
            if scenario.cluster {
                let started = try await RedisClusterServer.start(appendFsync: scenario.appendFsync, directory: directory + "/redis-cluster")
                redisCluster = started
                redis = started.nodes[0]
            } else {
                redis = try await RedisServer.start(appendOnly: true, appendFsync: scenario.appendFsync, directory: directory + "/redis")
            }
        } catch {
            throw ChaosError("cannot start redis-server: \(error.message)")
        }
        var replica: RedisServer?
        if scenario.replica {
            do {
                let started = try await RedisServer.start(appendOnly: true, appendFsync: scenario.appendFsync, directory: directory + "/replica")
                replica = started
                try await follow(started, master: redis)
            } catch {
                await replica?.stop()
                await redis.stop()
                throw ChaosError("cannot start Redis's replica: \(error)")
            }
        }
        let prefix = "chaos"
        let routesPath = directory + "/routes.yaml"
        let render: @Sendable (Int) -> String = { generation in
            ChaosRoutes.render(scenario, prefix: prefix, receiver: receiver, generation: generation)
        }
        var url = redisCluster?.url ?? redis.url
        url.clusterTag = prefix
        let redisURL = "\(url)"
        let edges = (1...edgeCount).map { index in
            SluiceProcess(name: "edge-\(index)", executable: sluice, log: "\(directory)/edge-\(index).log", client: client) { port in
                ["edge", "--config", routesPath, "--redis", redisURL, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"]
            }
        }
        let workers = (1...(workerCount + scenario.standbyWorkers)).map { index in
            SluiceProcess(name: "worker-\(index)", executable: sluice, log: "\(directory)/worker-\(index).log", client: client) { port in
                ["worker", "--config", routesPath, "--redis", redisURL, "--metrics-listen", "127.0.0.1:\(port)",
                 "--log-level", "warning", "--shutdown-grace", "5"]
            }
        }
        var logger = Logger(label: "sluice.chaos")
        logger.logLevel = .critical
        let admin = RedisClient(url: url, logger: logger, connectTimeout: .milliseconds(500), commandTimeout: .seconds(5))
        let stores = WorkerStores(url: url, prefix: prefix, count: scenario.partitions, logger: logger)
        let cluster = ChaosCluster(
            redis: redis, replica: replica, redisCluster: redisCluster, admin: admin, stores: stores, edges: edges, workers: workers, prefix: prefix, directory: directory,
            routesPath: routesPath, render: render)
        do {
            try cluster.writeRoutes(generation: 0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Standby workers are the last ones; a fault starts them.
                for process in edges + workers.prefix(workerCount) {
                    group.addTask { try await process.start() }
                }
                try await group.waitForAll()
            }
        } catch {
            await cluster.stop()
            throw error
        }
        return cluster
    }

    /// Ports of the edges that are running right now.
    func edgePorts() async -> [Int] {
        var ports: [Int] = []
        for edge in edges {
            if let port = await edge.livePort { ports.append(port) }
        }
        return ports
    }

    /// Rewrites routes.yaml the way Kubernetes swaps a ConfigMap: a new file, then an atomic
    /// rename of a symlink over the old name.
    func writeRoutes(generation next: Int) throws(ChaosError) {
        generation.withLock { $0 = next }
        let target = "\(directory)/routes.gen-\(next).yaml"
        let link = "\(directory)/routes.link-\(next)"
        do {
            try render(next).write(toFile: target, atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        } catch {
            throw ChaosError("cannot write the routes file in \(directory): \(error)")
        }
        guard rename(link, routesPath) == 0 else {
            throw ChaosError("cannot swap \(routesPath) to \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// Terminates every process (SIGTERM, then SIGKILL after 10 s), stops Redis and the client.
    func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for process in edges + workers {
                group.addTask { _ = await process.terminate(timeout: .seconds(10)) }
            }
        }
        admin.shutdown()
        stores.shutdown()
        if let redisCluster { await redisCluster.stop() } else { await redis.stop() }
        await replica?.stop()
    }

    /// Makes `replica` replicate `master` and returns once `master` reports it online.
    static func follow(_ replica: RedisServer, master: RedisServer) async throws {
        try await command(on: replica.url, ["REPLICAOF", "127.0.0.1", RedisArgument(master.port)])
        try await until("\(master.url) reports its replica online") {
            try await info(on: master.url, "replication").contains("state=online")
        }
    }

    /// One command on a short-lived connection (the harness's failover steps).
    @discardableResult
    static func command(on url: RedisURL, _ arguments: [RedisArgument]) async throws -> RedisReply {
        var logger = Logger(label: "sluice.chaos")
        logger.logLevel = .critical
        let client = RedisClient(url: url, logger: logger, connectTimeout: .milliseconds(500), commandTimeout: .seconds(5))
        defer { client.shutdown() }
        return try await client.send(arguments)
    }

    /// `INFO section` of the server at `url`.
    static func info(on url: RedisURL, _ section: String) async throws -> String {
        try await command(on: url, ["INFO", RedisArgument(section)]).string ?? ""
    }

    /// Polls `condition` every 100 ms for up to 30 s.
    static func until(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if (try? await condition()) == true { return }
            guard ContinuousClock.now < deadline else { throw ChaosError("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
