import Logging
import ServiceLifecycle

/// Says in the log that the process is shutting down, as soon as the signal arrives: before it,
/// a SIGTERM left nothing in the log until (and unless) something went wrong on the way out.
///
/// Runs last in its group, so it is the first service told to stop.
struct ShutdownNotice: Service {
    let process: String
    let logger: Logger

    func run() async throws {
        // Cancellation (the group failing) is not a shutdown to announce.
        guard (try? await gracefulShutdown()) != nil else { return }
        logger.info("\(process) shutting down: finishing what is in progress")
    }
}
