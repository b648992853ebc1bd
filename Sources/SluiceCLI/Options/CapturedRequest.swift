import Foundation

/// A webhook call as an operator captured it: the head as text (`Name: value` lines, as `curl -v`
/// prints them with their `> ` marks, or a raw HTTP head with its request line) and the body.
struct CapturedRequest {
    /// The request line's path, when the capture has one.
    var path: String?
    /// Header values by lower-cased name (a repeated header's values joined with `, `, as HTTP does).
    var headers: [String: String]

    init(headText: String) {
        var headers: [String: String] = [:]
        for rawLine in headText.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            var line = Substring(rawLine)
            if line.hasPrefix("> ") || line.hasPrefix("< ") { line = line.dropFirst(2) }
            let words = line.split(separator: " ")
            if path == nil, words.count == 3, words[2].hasPrefix("HTTP/"), words[1].hasPrefix("/") {
                path = String(words[1])
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        self.headers = headers
    }

    /// The source named by the path `/webhooks/<source>[/<channel>]`.
    var sourceFromPath: String? {
        guard let path else { return nil }
        let parts = path.split(separator: "?")[0].split(separator: "/")
        guard parts.count >= 2, parts[0] == "webhooks" else { return nil }
        return String(parts[1]).removingPercentEncoding ?? String(parts[1])
    }
}
