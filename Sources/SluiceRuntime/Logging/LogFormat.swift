import Foundation
import Logging

/// How log lines are written: `text` for people, `json` for log pipelines.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// Installs the process-wide log handler; call once, before any logger is made.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .text: TextLogHandler(label: label)
                case .json: JSONLogHandler(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }
}
