import ArgumentParser
import Foundation
import SluiceEdge
import SluiceRuntime

/// `sluice edge`: verify Gemini calls and make them durable in Redis before answering.
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "HTTP ingress: verify, dedupe, enqueue."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on (env SLUICE_LISTEN).")
    var listen: String?

    @Option(help: "Seconds /readyz fails before the listener closes on SIGTERM (env SLUICE_DRAIN_DELAY).")
    var drainDelay: Double?

    @Option(help: "SwiftNIO event loop threads for HTTP (env SLUICE_EVENT_LOOP_THREADS; default 1, which suits small machines that also run Redis).")
    var eventLoopThreads: Int?

    func validate() throws {
        if let eventLoopThreads, eventLoopThreads < 1 { throw ValidationError("--event-loop-threads must be at least 1") }
    }

    func run() async throws {
        let address = try ListenAddress(parsing: listen ?? global.environment["SLUICE_LISTEN"] ?? "0.0.0.0:8080", flag: "--listen")
        let redisURL = try ProcessRuntime.parseRedisURL(global.redisURL)
        let logger = try global.bootstrapLogging(label: "sluice.edge")
        let delay = drainDelay ?? global.environment["SLUICE_DRAIN_DELAY"].flatMap(Double.init) ?? 0
        let threads = eventLoopThreads ?? global.environment["SLUICE_EVENT_LOOP_THREADS"].flatMap(Int.init) ?? 1
        logger.info("edge starting", metadata: ["listen": "\(address)", "redis": "\(redisURL)", "config": "\(global.configPath)"])
        let runtime = try ProcessRuntime(routesSource: RoutesFileSource(path: global.configPath), redisURL: redisURL, logger: logger)
        defer { runtime.shutdown() }
        let services = runtime.edgeServices(
            options: .init(
                host: address.host, port: address.port, drainDelay: .milliseconds(Int64(delay * 1000)),
                eventLoopThreads: max(1, threads)),
            onListening: { port in logger.info("edge listening", metadata: ["port": "\(port)"]) })
        try await ServiceRunner.run(services, logger: logger)
    }
}
