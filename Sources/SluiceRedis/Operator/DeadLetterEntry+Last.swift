import Foundation

extension DeadLetterEntry {
    /// How wide a table's LAST column may be (`sluice dlq list`, the console's dead letters).
    public static let lastWidth = 60

    /// What a table's LAST column shows: the last status code, or else the last error, at most
    /// `width` characters, cut at a word where one is near the end and marked with "…" (a cut in
    /// mid-word read as the whole error: `connect: Failed to connect to 127.0.0.1 `); nil with
    /// neither.
    public func last(width: Int = DeadLetterEntry.lastWidth) -> String? {
        if let lastStatus { return String(lastStatus) }
        guard let lastError else { return nil }
        guard lastError.count > width else { return lastError }
        var kept = lastError.prefix(width - 1)
        if let space = kept.lastIndex(of: " "), kept.distance(from: kept.startIndex, to: space) >= width / 2 {
            kept = kept[..<space]
        }
        return kept.trimmingCharacters(in: .whitespaces) + "…"
    }

    /// Whether `last(width:)` leaves part of the error out.
    public func lastIsCut(width: Int = DeadLetterEntry.lastWidth) -> Bool {
        lastStatus == nil && (lastError?.count ?? 0) > width
    }
}
