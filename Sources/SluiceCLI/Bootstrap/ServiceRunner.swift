import Logging
import ServiceLifecycle

/// Runs a process's services until SIGTERM/SIGINT, then shuts them down gracefully in reverse order.
enum ServiceRunner {
    static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: NamedService(service: $0)) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
