import ArgumentParser
import Foundation
import Logging
import SluiceEdge
import SluiceRuntime

/// `sluice edge`: verify Gemini calls and make them durable in Redis before answering.
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "HTTP ingress: verify, dedupe, enqueue."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on (env SLUICE_LISTEN; default 0.0.0.0:8080).")
    var listen: String?

    @Option(help: "Seconds /readyz fails before the listener closes on SIGTERM (env SLUICE_DRAIN_DELAY; default 0).")
    var drainDelay: Double?

    @Option(help: "SwiftNIO event loop threads for HTTP (env SLUICE_EVENT_LOOP_THREADS; default 1, which suits small machines that also run Redis).")
    var eventLoopThreads: Int?

    @Option(help: "Open connections at most; at the limit the oldest idle or unfinished ones are shed (env SLUICE_MAX_CONNECTIONS; default 10000, capped by the open-file limit).")
    var maxConnections: Int?

    @Option(help: "Seconds from a request's first byte to its last before it is answered 408 and closed (env SLUICE_REQUEST_TIMEOUT; default 10).")
    var requestTimeout: Double?

    @Option(help: "MiB of request heads and bodies buffered across all connections (env SLUICE_MAX_BUFFERED_MIB; default 64).")
    var maxBufferedMib: Int?

    func validate() throws {
        if let eventLoopThreads, eventLoopThreads < 1 { throw ValidationError("--event-loop-threads must be at least 1") }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        if let requestTimeout, !(requestTimeout > 0) { throw ValidationError("--request-timeout must be more than 0 seconds") }
        if let maxBufferedMib, maxBufferedMib < 1 { throw ValidationError("--max-buffered-mib must be at least 1") }
    }

    /// The limits from flags, then environment, then defaults; connections stay below the
    /// open-file limit, less room for Redis connections, routes and secret files.
    private func limits(logger: Logger) throws -> EdgeConnectionLimits {
        func number<T: LosslessStringConvertible>(_ name: String) throws -> T? {
            guard let text = global.environment[name] else { return nil }
            guard let value = T(text) else { throw ValidationError("\(name)=\(text) is not a number") }
            return value
        }
        var limits = EdgeConnectionLimits()
        if let value = try maxConnections ?? number("SLUICE_MAX_CONNECTIONS") as Int? { limits.maxConnections = value }
        if let value = try SecondsOption.value(requestTimeout, environment: "SLUICE_REQUEST_TIMEOUT", in: global.environment) {
            limits.requestTimeout = try SecondsOption.duration(value, name: "--request-timeout (SLUICE_REQUEST_TIMEOUT)", allowZero: false)
        }
        if let value = try maxBufferedMib ?? number("SLUICE_MAX_BUFFERED_MIB") as Int? {
            // Shifted into bytes, a larger number would wrap to a negative one.
            guard (1...(1 << 40)).contains(value) else {
                throw ValidationError("--max-buffered-mib (SLUICE_MAX_BUFFERED_MIB) takes 1 to \(1 << 40) MiB, not \(value)")
            }
            limits.maxBufferedBytes = value << 20
        }
        if let descriptors = FileDescriptorLimit.raiseToHard(), descriptors - 128 < limits.maxConnections {
            let capped = max(1, descriptors - 128)
            logger.warning(
                "max connections lowered to fit the open-file limit",
                metadata: ["max_connections": "\(capped)", "requested": "\(limits.maxConnections)", "nofile": "\(descriptors)"])
            limits.maxConnections = capped
        }
        guard limits.maxConnections >= 1, limits.requestTimeout > .zero, limits.maxBufferedBytes >= 1 else {
            throw ValidationError("SLUICE_MAX_CONNECTIONS, SLUICE_REQUEST_TIMEOUT and SLUICE_MAX_BUFFERED_MIB must be positive")
        }
        return limits
    }

    func run() async throws {
        let address = try ListenAddress(parsing: listen ?? global.environment["SLUICE_LISTEN"] ?? "0.0.0.0:8080", flag: "--listen")
        try address.checkAvailable(flag: "--listen")
        let redisURL = try ProcessRuntime.parseRedisURL(global.redisURL)
        let logger = try global.bootstrapLogging(label: "sluice.edge")
        let delay = try SecondsOption.duration(
            try SecondsOption.value(drainDelay, environment: "SLUICE_DRAIN_DELAY", in: global.environment) ?? 0,
            name: "--drain-delay (SLUICE_DRAIN_DELAY)", allowZero: true)
        var threads = 1
        if let eventLoopThreads {
            threads = eventLoopThreads
        } else if let text = global.environment["SLUICE_EVENT_LOOP_THREADS"] {
            guard let value = Int(text) else { throw ValidationError("SLUICE_EVENT_LOOP_THREADS=\(text) is not a whole number") }
            threads = value
        }
        // NIO creates every thread at start and stops the process when one cannot be created.
        guard (1...1024).contains(threads) else {
            throw ValidationError("--event-loop-threads (SLUICE_EVENT_LOOP_THREADS) takes 1 to 1024, not \(threads)")
        }
        let limits = try limits(logger: logger)
        logger.info("edge starting", metadata: ["listen": "\(address)", "redis": "\(redisURL)", "config": "\(global.configPath)", "malloc": "\(Allocator.name)"])
        let runtime = try ProcessRuntime(routesSource: RoutesFileSource(path: global.configPath), redisURL: redisURL, logger: logger)
        defer { runtime.shutdown() }
        let edge = runtime.edgeServer(
            options: .init(
                host: address.host, port: address.port, drainDelay: delay,
                eventLoopThreads: max(1, threads), limits: limits),
            onListening: { port in logger.info("edge listening", metadata: ["port": "\(port)"]) })
        try await ServiceRunner.run(edge.services, process: "edge", logger: logger)
    }
}
