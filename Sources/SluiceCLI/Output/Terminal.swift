import Foundation

/// Colour for human output, only when stdout is a terminal and `NO_COLOR` is not set.
enum Terminal {
    static let colours: Bool = isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    enum Tone: String {
        case good = "32"
        case bad = "31"
        case warn = "33"
        case dim = "2"
        case bold = "1"
    }

    static func paint(_ text: String, _ tone: Tone) -> String {
        colours ? "\u{1B}[\(tone.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// The tone of an outcome or dead-letter reason.
    static func tone(forOutcome outcome: String) -> Tone {
        switch outcome {
        case "delivered", "matched", "ok": .good
        case "retry", "retrying", "pending", "expired", "parked", "skipped": .warn
        default: .bad
        }
    }
}
