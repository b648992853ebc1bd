public import SluiceCore

/// The address an endpoint's host resolved to and the SSRF guard admitted, so the
/// connection goes to exactly that IP with no second lookup.
public struct PinnedAddress: Sendable, Hashable, CustomStringConvertible {
    /// Host name as written in the URL (still used for `Host` and TLS SNI/verification).
    public var host: String
    /// Port from the URL, or the scheme's default.
    public var port: Int
    /// The checked address to connect to.
    public var ip: IPAddress

    /// Creates a pinned address.
    public init(host: String, port: Int, ip: IPAddress) {
        self.host = host
        self.port = port
        self.ip = ip
    }

    /// `host:port -> ip`.
    public var description: String { "\(host):\(port) -> \(ip)" }

    /// curl's `CURLOPT_CONNECT_TO` entry: `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`.
    var curlConnectTo: String {
        let target = ip.family == .v6 ? "[\(ip)]" : "\(ip)"
        let source = host.contains(":") ? "[\(host)]" : host
        return "\(source):\(port):\(target):\(port)"
    }
}
