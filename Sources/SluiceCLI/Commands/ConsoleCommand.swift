import ArgumentParser
import Foundation
import Metrics
import SluiceConsole
import SluiceRedis
import SluiceRuntime

/// `sluice console`: the operator's web view of queues, endpoints, events and dead letters.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Web console: queues, endpoints, events and dead letters; replay and purge with the operator token.",
        discussion: "Binds to 127.0.0.1:8081 by default. Without --token-file the console is read-only."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on (env SLUICE_CONSOLE_LISTEN; default 127.0.0.1:8081).")
    var listen: String?

    @Option(help: "File holding the operator token that actions need (env SLUICE_CONSOLE_TOKEN_FILE); without it the console is read-only.")
    var tokenFile: String?

    @Option(
        name: .customLong("allowed-host"),
        help: "A host name the console is reached by, beside loopback's and the listen address (repeatable; env SLUICE_CONSOLE_ALLOWED_HOSTS, comma-separated). Other Host headers get 421, against DNS rebinding; on a non-loopback listen address without any, every Host is answered.")
    var allowedHosts: [String] = []

    func run() async throws {
        let address = try ListenAddress(parsing: listen ?? global.environment["SLUICE_CONSOLE_LISTEN"] ?? "127.0.0.1:8081", flag: "--listen")
        try address.checkAvailable(flag: "--listen")
        let redisURL = try ProcessRuntime.parseRedisURL(global.redisURL)
        let logger = try global.bootstrapLogging(label: "sluice.console")
        var token: String?
        if let path = tokenFile ?? global.environment["SLUICE_CONSOLE_TOKEN_FILE"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("--token-file: cannot read \(path)")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.count >= 16 else { throw ValidationError("--token-file: the token in \(path) is shorter than 16 characters") }
            token = trimmed
        }
        let extraHosts = allowedHosts.isEmpty
            ? (global.environment["SLUICE_CONSOLE_ALLOWED_HOSTS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            : allowedHosts
        let source = RoutesFileSource(path: global.configPath, allowMissingSecrets: true)
        let (routes, bytes) = try RoutesBootstrap.load(source, logger: logger)
        let stores = WorkerStores(url: redisURL, prefix: routes.config.redisPrefix, count: routes.config.redisPartitions, logger: logger)
        defer { stores.shutdown() }
        logger.info("console starting", metadata: ["listen": "\(address)", "redis": "\(redisURL)", "actions": "\(token == nil ? "off (read-only)" : "on")"])
        let console = ConsoleServer(
            host: address.host, port: address.port, routes: routes.config, stores: stores, token: token,
            allowedHosts: ConsoleServer.allowedHosts(listenHost: address.host, extra: extraHosts), logger: logger,
            onListening: { port in logger.info("console listening", metadata: ["port": "\(port)"]) })
        // Reloaded as edge and worker reload it, so a route fixed in routes.yaml is what a replay
        // from the console routes with.
        let reloader = RoutesReloader(
            source: source, initialBytes: bytes, initialSecretFiles: routes.secretFiles, metrics: NOOPMetricsHandler.instance, logger: logger
        ) { config in
            if config.redisPrefix != routes.config.redisPrefix {
                logger.warning("redis.prefix changed in routes.yaml; the console keeps reading the old prefix until restarted")
            }
            console.routes.apply(config)
        }
        try await ServiceRunner.run([reloader] + console.services, process: "console", logger: logger)
    }
}
