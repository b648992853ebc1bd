import Foundation

/// Times in operator output: RFC 3339 in UTC, to the millisecond.
enum Timestamps {
    static func iso(_ millis: Int64) -> String {
        // Whole seconds formatted, the milliseconds written from the integer: the formatter
        // truncates a Double's fraction, and 1796594362.760 is stored as …362.7599…
        let (seconds, remainder) = millis.quotientAndRemainder(dividingBy: 1000)
        let (whole, milli) = remainder < 0 ? (seconds - 1, remainder + 1000) : (seconds, remainder)
        let text = Date(timeIntervalSince1970: Double(whole)).formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon)
                .timeZone(separator: .omitted))
        let digits = String(milli)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}
