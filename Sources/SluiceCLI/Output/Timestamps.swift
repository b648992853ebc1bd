import SluiceCore

/// Times in operator output: RFC 3339 in UTC, to the millisecond.
enum Timestamps {
    static func iso(_ millis: Int64) -> String {
        UnixMillisISO8601.string(millis)
    }
}
