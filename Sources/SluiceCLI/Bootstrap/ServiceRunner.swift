import Logging
import ServiceLifecycle

/// Runs a process's services until SIGTERM/SIGINT, then shuts them down gracefully in reverse order.
enum ServiceRunner {
    /// `process` names it in the lines that say it is shutting down and has stopped.
    static func run(_ services: [any Service], process: String, logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: (services + [ShutdownNotice(process: process, logger: logger)]).map {
                    ServiceGroupConfiguration.ServiceConfiguration(service: NamedService(service: $0))
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("\(process) stopped")
    }
}
