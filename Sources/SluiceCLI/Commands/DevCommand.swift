import ArgumentParser
import Foundation
import Logging
import SluiceEdge
import SluiceRedis
import SluiceRuntime
import SluiceWorker

/// `sluice dev`: the gateway on one machine with no setup — a private redis-server unless `--redis` is given.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the gateway locally; starts a private redis-server when no --redis is given."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on (env SLUICE_LISTEN; default 127.0.0.1:8080).")
    var listen: String?

    @Option(help: "Address of the worker's /healthz, /readyz and /metrics (env SLUICE_METRICS_LISTEN; default 127.0.0.1:9090).")
    var metricsListen: String?

    func run() async throws {
        let address = try ListenAddress(parsing: listen ?? global.environment["SLUICE_LISTEN"] ?? "127.0.0.1:8080", flag: "--listen")
        let metrics = try ListenAddress(parsing: metricsListen ?? global.environment["SLUICE_METRICS_LISTEN"] ?? "127.0.0.1:9090", flag: "--metrics-listen")
        // Before a private redis-server is started and the banner printed.
        try address.checkAvailable(flag: "--listen")
        try metrics.checkAvailable(flag: "--metrics-listen")
        let logger = try global.bootstrapLogging(label: "sluice.dev")
        var server: RedisServer?
        let redisURL: RedisURL
        if global.redisGiven {
            redisURL = try ProcessRuntime.parseRedisURL(global.redisURL)
        } else {
            do {
                // With its AOF, as `redis.durability: write` (the default) requires.
                // Out of this process's group: a terminal's Ctrl-C stops the gateway first, which
                // then stops Redis, instead of Redis going while the gateway still uses it.
                server = try await RedisServer.start(appendOnly: true, ownProcessGroup: true)
            } catch {
                FileHandle.standardError.write(Data("sluice dev: \(error)\n".utf8))
                throw ExitCode(1)
            }
            redisURL = server!.url
            logger.info("started a private redis-server", metadata: ["url": "\(redisURL)"])
        }
        let configPath = global.configPath
        let redisNote = server.map { " (private redis-server, data in \($0.directory); stopped and removed on exit)" } ?? ""
        do {
            try await runEdge(address: address, metrics: metrics, configPath: configPath, redisURL: redisURL, redisNote: redisNote, logger: logger)
        } catch {
            await server?.stop()
            throw error
        }
        await server?.stop()
    }

    private func runEdge(
        address: ListenAddress, metrics: ListenAddress, configPath: String, redisURL: RedisURL, redisNote: String, logger: Logger
    ) async throws {
        let runtime = try ProcessRuntime(routesSource: RoutesFileSource(path: configPath), redisURL: redisURL, logger: logger)
        defer { runtime.shutdown() }
        var workerOptions = WorkerServer.Options()
        workerOptions.metricsHost = metrics.host
        workerOptions.metricsPort = metrics.port
        // One reloader for both halves (neither runs its own): an edit is applied to the edge and
        // the worker together, logged once and counted once in sluice_config_reloads_total.
        workerOptions.reloadsRoutes = false
        let worker = runtime.workerServer(options: workerOptions) { _ in }
        let edge = runtime.edgeServer(
            options: .init(host: address.host, port: address.port, reloadsRoutes: false),
            onListening: { port in
                let host = address.host == "0.0.0.0" ? "127.0.0.1" : address.host
                // Flushed: when stdout is a pipe or a file (a supervisor, `| tee`), a plain print
                // would hold the banner back until the process exits.
                Stdout.line("""

                    Sluice is running: edge and worker (router + delivery) in one process.
                      ingress:  POST http://\(host):\(port)/webhooks/<source>[/<channel>]
                      edge:     http://\(host):\(port)/readyz   http://\(host):\(port)/metrics
                      worker:   http://\(metrics.host):\(metrics.port)/readyz   http://\(metrics.host):\(metrics.port)/metrics
                      redis:    \(redisURL)\(redisNote)
                      routes:   \(configPath) (reloaded on change and on SIGHUP)
                    Try it:
                      sluice send-test --url http://\(host):\(port)/webhooks/gemini --secret "$GEMINI_WEBHOOK_SECRET"
                      sluice status --config \(configPath) --redis \(redisURL)
                    Stop with Ctrl-C.

                    """)
            })
        let reloader = RoutesReloader(
            source: runtime.routesSource, initialBytes: runtime.routesBytes, initialSecretFiles: runtime.routes.secretFiles,
            metrics: runtime.exporter.factory, logger: logger
        ) { config in
            worker.applyRoutes(config)
            edge.applyRoutes(config)
        }
        try await ServiceRunner.run([reloader] + worker.services + edge.services, process: "dev", logger: logger)
    }
}
