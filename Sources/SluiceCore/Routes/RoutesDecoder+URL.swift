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
        } else if let bad = host.unicodeScalars.first(where: { $0.isASCII && !Self.hostCharacters.contains($0) }) {
            // The host as the HTTP client reads it, percent-encoding decoded: a character no host
            // name can hold (`%00`, a space, `%2F`) makes every delivery fail, so refuse it here.
            error(location, "URL '\(text)' in \(context) has a host with \(Self.describe(bad)), which no host name can contain")
            return nil
        }
        if components.user != nil || components.password != nil {
            error(location, "URL in \(context) must not carry credentials; use 'headers' for an Authorization header")
            return nil
        }
        return host
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
