/// What came back from an endpoint: any status, including 3xx (redirects are never followed).
public struct HTTPResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Response header fields with lowercased names, in arrival order.
    public var headers: [HTTPHeader]
    /// The first ``HTTPRequest/maxResponseBytes`` bytes of the body.
    public var body: [UInt8]
    /// Whether the body was longer than the cap and cut short.
    public var bodyTruncated: Bool
    /// Time from submission to completion.
    public var duration: Duration
    /// Protocol version spoken: "1.0", "1.1", "2" or "3".
    public var httpVersion: String
    /// New TCP connections this request opened (0 when it reused a kept-alive one).
    public var newConnections: Int

    /// Creates a response value.
    public init(
        status: Int,
        headers: [HTTPHeader],
        body: [UInt8],
        bodyTruncated: Bool = false,
        duration: Duration,
        httpVersion: String,
        newConnections: Int
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyTruncated = bodyTruncated
        self.duration = duration
        self.httpVersion = httpVersion
        self.newConnections = newConnections
    }

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? { headers[name: name] }
}
