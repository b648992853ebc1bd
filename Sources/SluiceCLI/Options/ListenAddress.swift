import ArgumentParser

/// `HOST:PORT` for a listener (`0.0.0.0:8080`, `127.0.0.1:0`, `[::]:8080`).
struct ListenAddress: Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    init(parsing text: String, flag: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(flag) must be HOST:PORT (for example 0.0.0.0:8080), got '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(where: { $0 == ":" || $0 == "[" || $0 == "]" }) {
            // `[::1` read as host `[:` and port 1; an IPv6 address needs its brackets.
            throw ValidationError("\(flag) must be HOST:PORT with an IPv6 address in brackets (for example [::1]:8080), got '\(text)'")
        }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
