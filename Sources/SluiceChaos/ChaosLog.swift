import Foundation

/// Where a run keeps its processes' logs, and how to quote the end of one in an error.
enum ChaosLog {
    /// The last `lines` lines of the file at `path`.
    static func tail(of path: String, lines: Int = 15) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "(no log)" }
        let text = String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(lines)
        return text.isEmpty ? "(empty log)" : text.joined(separator: "\n")
    }
}
