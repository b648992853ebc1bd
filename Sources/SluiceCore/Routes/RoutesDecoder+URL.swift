import Foundation

extension RoutesDecoder {
    /// Checks that `text` is an absolute http(s) URL with a host; returns the host (without IPv6 brackets).
    @discardableResult
    func checkURL(_ text: String, at location: RoutesLocation, in context: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            error(location, "invalid URL '\(text)' in \(context); expected http://HOST/… or https://HOST/…")
            return nil
        }
        guard scheme == "http" || scheme == "https" else {
            error(location, "URL '\(text)' in \(context) must use http or https, not '\(scheme)'")
            return nil
        }
        guard var host = components.host, !host.isEmpty else {
            error(location, "URL '\(text)' in \(context) has no host")
            return nil
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard IPAddress.parseV6(host[...]) != nil else {
                error(location, "URL '\(text)' in \(context) has '[\(host)]' as its host, which is not an IPv6 address")
                return nil
            }
        } else if let bad = host.unicodeScalars.first(where: { $0.isASCII && !Self.hostCharacters.contains($0) }) {
            // The host as the HTTP client reads it, percent-encoding decoded: a character no host
            // name can hold (`%00`, a space, `%2F`) makes every delivery fail, so refuse it here.
            error(location, "URL '\(text)' in \(context) has a host with \(Self.describe(bad)), which no host name can contain")
            return nil
        } else if let problem = Self.labelProblem(host) {
            // `http://./` or `a..b`: no resolver finds such a name, so every delivery would fail.
            error(location, "URL '\(text)' in \(context) has host '\(host)', \(problem)")
            return nil
        }
        // URLComponents takes any digits as the port (65536; twenty nines it drops), which libcurl
        // refuses on every attempt.
        if let port = Self.portText(text), !port.isEmpty, Int(port).map({ (1...65535).contains($0) }) != true {
            error(location, "URL '\(text)' in \(context) has port \(port); ports go from 1 to 65535")
            return nil
        }
        if components.user != nil || components.password != nil {
            error(location, "URL in \(context) must not carry credentials; use 'headers' for an Authorization header")
            return nil
        }
        return host
    }

    /// The port as written after the host (nil: none written; empty: a bare `:`, the default).
    private static func portText(_ url: String) -> Substring? {
        guard let start = url.range(of: "://")?.upperBound else { return nil }
        let authority = url[start...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        let afterHost = hostPort.hasPrefix("[") ? hostPort.drop { $0 != "]" }.dropFirst() : hostPort.drop { $0 != ":" }
        return afterHost.first == ":" ? afterHost.dropFirst() : nil
    }

    /// Why `host` cannot be a DNS name (nil: it can): names are labels of 1 to 63 characters
    /// between single dots, with one dot allowed at the end (the root).
    private static func labelProblem(_ host: String) -> String? {
        let name = host.hasSuffix(".") ? host.dropLast() : host[...]
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.contains(where: \.isEmpty) {
            return "which has an empty label; a host name is labels joined by single dots"
        }
        if let long = labels.first(where: { $0.utf8.count > 63 && $0.allSatisfy(\.isASCII) }) {
            return "whose label '\(long.prefix(20))…' is \(long.utf8.count) characters long; a label holds at most 63"
        }
        return nil
    }

    /// The ASCII characters a host name may hold (letters, digits, `-`, `.`, `_`); non-ASCII
    /// letters are allowed too (internationalized names, sent in their punycode form).
    private static let hostCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._".unicodeScalars)

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        scalar.value < 0x20 || scalar.value == 0x7f
            ? "the control character U+\(String(format: "%04X", scalar.value))"
            : scalar == " " ? "a space" : "'\(Character(scalar))'"
    }
}
