import ArgumentParser
import Foundation
import SluiceRuntime
import SluiceWorker

/// `sluice worker`: route events to tenant endpoints and deliver them.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Router and delivery stages: expand events per tenant endpoint, re-sign, deliver, retry, dead-letter."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Stages to run: router, delivery, or both, comma-separated (env SLUICE_STAGES; default router,delivery).")
    var stages: String?

    @Option(help: "Address for /healthz, /readyz and /metrics (env SLUICE_METRICS_LISTEN; default 0.0.0.0:9090).")
    var metricsListen: String?

    @Option(help: "Seconds in-flight deliveries may take to finish on SIGTERM (env SLUICE_SHUTDOWN_GRACE; default 30).")
    var shutdownGrace: Double?

    func run() async throws {
        let chosen = try Self.parseStages(stages ?? global.environment["SLUICE_STAGES"] ?? "router,delivery")
        let address = try ListenAddress(parsing: metricsListen ?? global.environment["SLUICE_METRICS_LISTEN"] ?? "0.0.0.0:9090", flag: "--metrics-listen")
        try address.checkAvailable(flag: "--metrics-listen")
        let redisURL = try ProcessRuntime.parseRedisURL(global.redisURL)
        let logger = try global.bootstrapLogging(label: "sluice.worker")
        let grace = try SecondsOption.duration(
            try SecondsOption.value(shutdownGrace, environment: "SLUICE_SHUTDOWN_GRACE", in: global.environment) ?? 30,
            name: "--shutdown-grace (SLUICE_SHUTDOWN_GRACE)", allowZero: true)
        let runtime = try ProcessRuntime(routesSource: RoutesFileSource(path: global.configPath), redisURL: redisURL, logger: logger)
        defer { runtime.shutdown() }
        var options = WorkerServer.Options()
        options.stages = chosen
        options.metricsHost = address.host
        options.metricsPort = address.port
        options.shutdownGrace = grace
        logger.info("worker starting", metadata: ["stages": "\(chosen.map(\.rawValue).sorted().joined(separator: ","))", "redis": "\(redisURL)", "config": "\(global.configPath)", "consumer": "\(options.consumerName)", "malloc": "\(Allocator.name)"])
        let worker = runtime.workerServer(options: options) { port in
            logger.info("worker metrics listening", metadata: ["port": "\(port)"])
        }
        try await ServiceRunner.run(worker.services, process: "worker", logger: logger)
    }

    static func parseStages(_ text: String) throws -> Set<WorkerServer.Stage> {
        var stages = Set<WorkerServer.Stage>()
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let stage = WorkerServer.Stage(rawValue: name) else {
                throw ValidationError("--stages: unknown stage '\(name)'; use router, delivery or router,delivery")
            }
            stages.insert(stage)
        }
        guard !stages.isEmpty else { throw ValidationError("--stages: name at least one stage") }
        return stages
    }
}
