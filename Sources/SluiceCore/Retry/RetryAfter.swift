/// Parses an HTTP `Retry-After` value (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.
public enum RetryAfter {
    /// How long the value asks to wait, measured from `nowMillis` (unix milliseconds).
    ///
    /// - Returns: nil when the value is neither form; a date in the past gives zero.
    public static func delay(from value: String, nowMillis: Int64) -> Duration? {
        let trimmed = String(value.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Absurdly long numbers saturate rather than fail: the schedule caps them anyway.
            return .seconds(Int64(trimmed) ?? .max / 1000)
        }
        guard let dateSeconds = httpDateSeconds(trimmed) else { return nil }
        let waitMillis = dateSeconds * 1000 - nowMillis
        return .milliseconds(max(0, waitMillis))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Unix seconds of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), or of the obsolete
    /// RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) forms,
    /// which RFC 9110 still requires recipients to accept.
    static func httpDateSeconds(_ text: String) -> Int64? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        var month: Int?
        var day: Int?
        var year: Int?
        var clock: (Int, Int, Int)?
        for token in tokens {
            let lower = token.lowercased()
            if let index = months.firstIndex(of: lower) {
                month = index + 1
            } else if token.contains(":") {
                let parts = token.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 3 else { return nil }
                clock = (parts[0], parts[1], parts[2])
            } else if let number = Int(token), token.allSatisfy(\.isNumber) {
                if token.count <= 2, day == nil {
                    day = number
                } else if year == nil {
                    // RFC 850's two-digit years: the nearest century, as RFC 9110 suggests.
                    year = token.count == 2 ? (number < 70 ? 2000 + number : 1900 + number) : number
                } else {
                    return nil
                }
            }
        }
        // Four-digit years, as HTTP-dates have (RFC 9110 §5.6.7): a larger one overflowed the
        // arithmetic below, and an endpoint's answer must not crash the worker.
        guard let month, let day, let year, let (hour, minute, second) = clock, (1...9999).contains(year),
            (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
