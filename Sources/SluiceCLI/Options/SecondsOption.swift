import ArgumentParser

/// A number of seconds from a flag or its environment variable (`--drain-delay 2.5`,
/// `SLUICE_SHUTDOWN_GRACE=30`), checked before it becomes a `Duration`: `inf`, `nan` and `1e300`
/// parse as a `Double` and trapped when turned into milliseconds.
enum SecondsOption {
    /// The longest any of them may be, as for routes.yaml's durations.
    static let longest = 36_500.0 * 86_400

    /// The flag's value, else the environment's (a usage error when it is not a number), else nil.
    static func value(_ flag: Double?, environment name: String, in environment: [String: String]) throws -> Double? {
        if let flag { return flag }
        guard let text = environment[name] else { return nil }
        guard let value = Double(text) else { throw ValidationError("\(name)=\(text) is not a number of seconds") }
        return value
    }

    /// `seconds` as a duration; a usage error naming `name` unless it is finite, at least 0 (above
    /// 0 without `allowZero`) and at most 100 years.
    static func duration(_ seconds: Double, name: String, allowZero: Bool) throws -> Duration {
        // Above 0 means at least a millisecond once rounded: 0.0004 s would be a zero timeout.
        guard seconds.isFinite, allowZero ? seconds >= 0 : (seconds * 1000).rounded() >= 1, seconds <= longest else {
            throw ValidationError("\(name) takes a number of seconds \(allowZero ? "from 0" : "from 0.001") to \(Int(longest)) (100 years), such as 2 or 0.5, not \(Self.text(seconds))")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `seconds` as the operator likely typed it: `0`, not the `0.0` a Double prints.
    private static func text(_ seconds: Double) -> String {
        seconds.isFinite && seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int64(seconds)) : "\(seconds)"
    }
}
