import Foundation

/// The times operators type (`sluice replay --since`, the console's Recover form): an ISO 8601
/// time (`2026-12-05T09:30:00Z`) or a duration ago in routes.yaml's notation (`90m`, `2h`, `1d`).
public enum OperatorTime {
    /// Unix ms of `text` as of `nowMillis`; nil when it is neither notation.
    public static func millis(_ text: String, nowMillis: Int64) -> Int64? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let ago = Duration(routesNotation: text) {
            return nowMillis - ago.wholeMilliseconds
        }
        if let date = try? Date(text, strategy: .iso8601) {
            return date.unixMillis
        }
        // With milliseconds, as the console writes a time into its page links.
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return Int64((date.timeIntervalSince1970 * 1000).rounded())
        }
        return nil
    }
}
