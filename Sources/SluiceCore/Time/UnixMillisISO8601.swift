import Foundation

/// Unix milliseconds as an RFC 3339 time in UTC (`2026-12-06T21:59:22.760Z`), for operator
/// output and the console.
public enum UnixMillisISO8601 {
    /// With `milliseconds: false`, to the second (`2026-12-06T21:59:22Z`).
    public static func string(_ millis: Int64, milliseconds: Bool = true) -> String {
        // Whole seconds formatted, the milliseconds written from the integer: the formatter
        // truncates a Double's fraction, and 1796594362.760 is stored as …362.7599…
        let (seconds, remainder) = millis.quotientAndRemainder(dividingBy: 1000)
        let (whole, milli) = remainder < 0 ? (seconds - 1, remainder + 1000) : (seconds, remainder)
        let text = Date(timeIntervalSince1970: TimeInterval(whole)).ISO8601Format(
            .iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
        guard milliseconds else { return text }
        let digits = String(milli)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}
