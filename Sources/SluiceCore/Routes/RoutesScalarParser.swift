/// Parsers for the scalar notations of routes.yaml: durations, sizes, rates, percentages, names.
///
/// Each returns the value or throws a message that the loader attaches to the value's location.
enum RoutesScalarParser {
    struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static let durationUnits: [(suffix: String, seconds: Int64, isMillis: Bool)] = [
        ("ms", 0, true), ("d", 86400, false), ("h", 3600, false), ("m", 60, false), ("s", 1, false),
    ]

    /// `250ms`, `15s`, `5m`, `2h`, `7d`, or combinations in descending order such as `1h30m`; bare `0` too.
    static func duration(_ text: String) throws(Failure) -> Duration {
        let hint = "expected a duration such as 250ms, 15s, 5m, 2h, 7d or 1h30m"
        if text == "0" { return .zero }
        var rest = Substring(text)
        var total = Duration.zero
        var lastRank = -1
        guard !rest.isEmpty else { throw Failure("empty duration; \(hint)") }
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 12, let amount = Int64(digits) else {
                throw Failure("invalid duration '\(text)'; \(hint)")
            }
            rest = rest.dropFirst(digits.count)
            // "ms" must be tried before "m".
            guard let (rank, unit) = durationUnits.enumerated().first(where: { rest.hasPrefix($0.element.suffix) }) else {
                throw Failure(rest.isEmpty
                    ? "duration '\(text)' needs a unit (ms, s, m, h or d)"
                    : "invalid duration '\(text)'; \(hint)")
            }
            let order = [0: 4, 1: 0, 2: 1, 3: 2, 4: 3][rank]!  // d < h < m < s < ms
            guard order > lastRank else { throw Failure("invalid duration '\(text)': units must go from largest to smallest, each once") }
            lastRank = order
            rest = rest.dropFirst(unit.suffix.count)
            total += unit.isMillis ? .milliseconds(amount) : .seconds(amount * unit.seconds)
        }
        // Twelve digits of days overflow the milliseconds every duration ends up as (Redis
        // expiries, retry scores, libcurl's timeouts); nothing sensible is longer than a century.
        guard total <= longestDuration else {
            throw Failure("duration '\(text)' is too long; at most \(format(longestDuration)) (100 years)")
        }
        return total
    }

    /// The longest duration routes.yaml and the command line take.
    static let longestDuration = Duration.seconds(36_500 * 86_400)

    /// One to twelve ASCII digits as a number (a longer one is a typo); nil for anything else.
    private static func wholeNumber(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 12, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// `1MiB`, `512KiB`, `64B` or a plain byte count.
    static func size(_ text: String) throws(Failure) -> Int {
        let units: [(String, Int)] = [("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
        var number = Substring(text)
        var multiplier = 1
        if let (suffix, factor) = units.first(where: { text.hasSuffix($0.0) }) {
            number = number.dropLast(suffix.count)
            multiplier = factor
        }
        guard let value = wholeNumber(number) else {
            let lower = text.lowercased()
            if lower.hasSuffix("kb") || lower.hasSuffix("mb") || lower.hasSuffix("k") || lower.hasSuffix("m") {
                throw Failure("invalid size '\(text)'; sizes use binary units: KiB or MiB (for example 1MiB)")
            }
            throw Failure("invalid size '\(text)'; expected bytes, KiB or MiB (for example 1MiB or 65536)")
        }
        return value * multiplier
    }

    /// `50/s`, `1000/m`, `10/h`, or a count per duration such as `5/10s`.
    static func rateLimit(_ text: String) throws(Failure) -> RateLimit {
        let hint = "expected COUNT/PERIOD such as 50/s, 1000/m or 5/10s"
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = wholeNumber(Substring(parts[0].trimmingSpaces)), count > 0 else {
            throw Failure("invalid rate limit '\(text)'; \(hint)")
        }
        let periodText = parts[1].trimmingSpaces
        let period: Duration
        if ["ms", "s", "m", "h", "d"].contains(periodText) {
            period = try duration("1" + periodText)
        } else {
            do { period = try duration(periodText) } catch { throw Failure("invalid rate limit '\(text)'; \(hint)") }
        }
        guard period > .zero else { throw Failure("invalid rate limit '\(text)': the period must be longer than zero") }
        // Every worker shares the bucket through a Lua script, whose numbers are doubles: a full
        // bucket (count × period in ms) must stay an exact integer there (and an Int64 here).
        let (full, overflow) = Int64(count).multipliedReportingOverflow(by: max(1, period.wholeMilliseconds))
        guard !overflow, full <= 1 << 53 else {
            throw Failure("rate limit '\(text)' is too large: its count times its period in milliseconds must be at most 2^53; write the same rate over a shorter period (per second or per minute)")
        }
        return RateLimit(count: count, period: period)
    }

    /// `20%` or a fraction such as `0.2`, within 0...1.
    static func jitter(_ text: String) throws(Failure) -> Double {
        let value: Double?
        if text.hasSuffix("%") {
            value = Double(text.dropLast().trimmingSpaces).map { $0 / 100 }
        } else {
            value = Double(text)
        }
        guard let value, value.isFinite else {
            throw Failure("invalid jitter '\(text)'; expected a percentage such as 20% or a fraction such as 0.2")
        }
        guard (0...1).contains(value) else {
            throw Failure("jitter '\(text)' is out of range; it must be between 0% and 100%")
        }
        return value
    }

    /// Names of tenants, endpoints, sources and routes: `[a-z0-9][a-z0-9_-]*`.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isNameStart(first) else { return false }
        return name.unicodeScalars.allSatisfy { isNameStart($0) || $0 == "_" || $0 == "-" }
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// The shortest exact notation for a duration (`1h30m`, `250ms`).
    static func format(_ duration: Duration) -> String {
        var millis = duration.wholeMilliseconds
        if millis == 0 { return "0s" }
        var text = ""
        for (suffix, factor) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] where millis >= factor {
            text += "\(millis / factor)\(suffix)"
            millis %= factor
        }
        return text
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
