import ArgumentParser
import Foundation
import Logging
import SluiceEdge
import SluiceRedis
import SluiceRuntime

/// `sluice dev`: the gateway on one machine with no setup — a private redis-server unless `--redis` is given.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the gateway locally; starts a private redis-server when no --redis is given."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on (env SLUICE_LISTEN).")
    var listen: String?

    func run() async throws {
        let address = try ListenAddress(parsing: listen ?? global.environment["SLUICE_LISTEN"] ?? "127.0.0.1:8080", flag: "--listen")
        let logger = try global.bootstrapLogging(label: "sluice.dev")
        var server: RedisServer?
        let redisURL: RedisURL
        if global.redisGiven {
            redisURL = try EdgeRuntime.parseRedisURL(global.redisURL)
        } else {
            do {
                server = try await RedisServer.start()
            } catch {
                FileHandle.standardError.write(Data("sluice dev: \(error)\n".utf8))
                throw ExitCode(1)
            }
            redisURL = server!.url
            logger.info("started a private redis-server", metadata: ["url": "\(redisURL)"])
        }
        let configPath = global.configPath
        do {
            try await runEdge(address: address, configPath: configPath, redisURL: redisURL, logger: logger)
        } catch {
            await server?.stop()
            throw error
        }
        await server?.stop()
    }

    private func runEdge(address: ListenAddress, configPath: String, redisURL: RedisURL, logger: Logger) async throws {
        try await EdgeRuntime.run(
            options: .init(host: address.host, port: address.port),
            routesSource: RoutesFileSource(path: configPath),
            redisURL: redisURL,
            logger: logger,
            onListening: { port in
                let host = address.host == "0.0.0.0" ? "127.0.0.1" : address.host
                print("""

                    Sluice is running (edge; the worker stage arrives with issue #4).
                      ingress:  POST http://\(host):\(port)/webhooks/<source>[/<channel>]
                      health:   http://\(host):\(port)/readyz   metrics: http://\(host):\(port)/metrics
                      redis:    \(redisURL)
                      routes:   \(configPath) (reloaded on change and on SIGHUP)
                    Stop with Ctrl-C.

                    """)
            }
        )
    }
}
