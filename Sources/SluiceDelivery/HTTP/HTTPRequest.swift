import SluiceCore

/// One outbound HTTP request for ``HTTPClient``.
public struct HTTPRequest: Sendable {
    /// Default cap on how much of a response body is kept.
    public static let defaultMaxResponseBytes = 64 * 1024

    /// Request method; `POST` for deliveries.
    public var method: String
    /// Absolute `http` or `https` URL.
    public var url: String
    /// Header fields sent as given (no CR/LF allowed). curl adds `Host` and `Content-Length`.
    public var headers: [HTTPHeader]
    /// Body bytes, sent byte for byte.
    public var body: [UInt8]
    /// Total time allowed for the request, connection included.
    public var timeout: Duration
    /// Time allowed to establish the connection (TCP and TLS); `nil` uses the client's default, capped by `timeout`.
    public var connectTimeout: Duration?
    /// Address the SSRF guard checked: curl connects there, keeping the URL's host for `Host` and SNI.
    public var connectTo: PinnedAddress?
    /// Extra trust and client identity for `https`; verification is always on.
    public var tls: TLSConfig?
    /// Only the first N bytes of the response body are kept; a longer body ends the transfer early.
    public var maxResponseBytes: Int
    /// Lowercased names of the response headers to keep in ``HTTPResponse/headers``; nil keeps
    /// all. A caller that reads one or two headers spares a String pair per header per response.
    public var keptResponseHeaders: [String]?

    /// Creates a request; defaults suit a webhook delivery.
    public init(
        method: String = "POST",
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8] = [],
        timeout: Duration = .seconds(30),
        connectTimeout: Duration? = nil,
        connectTo: PinnedAddress? = nil,
        tls: TLSConfig? = nil,
        maxResponseBytes: Int = HTTPRequest.defaultMaxResponseBytes,
        keptResponseHeaders: [String]? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.connectTo = connectTo
        self.tls = tls
        self.maxResponseBytes = maxResponseBytes
        self.keptResponseHeaders = keptResponseHeaders.map { $0.map { $0.lowercased() } }
    }
}
