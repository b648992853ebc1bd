import ArgumentParser
import Foundation
import Logging
import SluiceRuntime

/// Flags every command shares; each falls back to its `SLUICE_*` environment variable.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Routes file (env SLUICE_CONFIG).")
    var config: String?

    @Option(name: .long, help: "Redis URL: redis://[:password@]host:port[/db], redis+cluster://[:password@]host:port[,host:port…] or unix:///path (env SLUICE_REDIS_URL).")
    var redis: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (env SLUICE_LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .long, help: "Log format: text or json (env SLUICE_LOG_FORMAT).")
    var logFormat: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var configPath: String { config ?? environment["SLUICE_CONFIG"] ?? "routes.yaml" }

    var redisURL: String { redis ?? environment["SLUICE_REDIS_URL"] ?? "redis://127.0.0.1:6379" }

    /// True when neither the flag nor the environment names a Redis (`sluice dev` then starts its own).
    var redisGiven: Bool { redis != nil || environment["SLUICE_REDIS_URL"] != nil }

    func resolvedLogLevel() throws -> Logger.Level {
        let text = logLevel ?? environment["SLUICE_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("unknown log level '\(text)'; use one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }

    func resolvedLogFormat() throws -> LogFormat {
        let text = logFormat ?? environment["SLUICE_LOG_FORMAT"] ?? "text"
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            throw ValidationError("unknown log format '\(text)'; use text or json")
        }
        return format
    }

    /// Every command refuses a bad log level or format, flag or environment, also those that
    /// log nothing of their own: a typo is a usage error, not silently ignored.
    func validate() throws {
        _ = try resolvedLogLevel()
        _ = try resolvedLogFormat()
    }

    /// Installs logging; returns the process logger.
    func bootstrapLogging(label: String) throws -> Logger {
        LogFormat.bootstrap(format: try resolvedLogFormat(), level: try resolvedLogLevel())
        return Logger(label: label)
    }
}
