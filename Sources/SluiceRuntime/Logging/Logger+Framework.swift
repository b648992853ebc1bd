public import Logging

extension Logger {
    /// This logger for Hummingbird's `Application`: at `info` its "Server started and listening"
    /// and "Shutting down" lines repeat the process's own (`edge listening`, `… shutting down`),
    /// so there it logs from `notice` up; at `debug` or `trace` an operator asked for everything.
    public var forFramework: Logger {
        var logger = self
        if logger.logLevel == .info { logger.logLevel = .notice }
        return logger
    }
}
