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
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if components.user != nil || components.password != nil {
            error(location, "URL in \(context) must not carry credentials; use 'headers' for an Authorization header")
            return nil
        }
        return host
    }
}
