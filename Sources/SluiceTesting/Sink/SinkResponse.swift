/// What a ``Sink`` answers to one request.
public struct SinkResponse: Sendable {
    /// Status code sent back.
    public var status: Int
    /// Response header fields, sent as given.
    public var headers: [(name: String, value: String)]
    /// Response body bytes.
    public var body: [UInt8]
    /// Wait this long before answering; the request is recorded on arrival, before the wait.
    public var delay: Duration?
    /// Abort the TCP connection (RST) instead of answering, after any `delay`.
    public var resetsConnection = false

    /// Creates a scripted response.
    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = [], delay: Duration? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    /// Creates a scripted response with a UTF-8 text body.
    public init(status: Int = 200, headers: [(name: String, value: String)] = [], text: String, delay: Duration? = nil) {
        self.init(status: status, headers: headers, body: Array(text.utf8), delay: delay)
    }

    /// `200 OK`, empty body.
    public static let ok = SinkResponse()

    /// Never answers while the sink runs: for client timeout tests.
    public static let hang = SinkResponse(status: 200, delay: .seconds(3600))

    /// Resets the connection (TCP RST, no HTTP answer): what a crashing proxy or receiver looks like.
    public static let reset: SinkResponse = {
        var response = SinkResponse(status: 0)
        response.resetsConnection = true
        return response
    }()

    /// A response with just a status code and optional headers.
    public static func status(_ code: Int, headers: [(name: String, value: String)] = []) -> SinkResponse {
        SinkResponse(status: code, headers: headers)
    }
}
