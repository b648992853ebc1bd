/// One request a ``Sink`` received, recorded on arrival.
public struct SinkRequest: Sendable {
    /// Request method, e.g. `POST`.
    public var method: String
    /// Path without the query string.
    public var path: String
    /// Query string without `?`, if any.
    public var query: String?
    /// Header fields in arrival order, names as sent.
    public var headers: [(name: String, value: String)]
    /// Body bytes exactly as received.
    public var body: [UInt8]
    /// When the whole request had arrived.
    public var receivedAt: ContinuousClock.Instant

    /// Creates a recorded request.
    public init(
        method: String,
        path: String,
        query: String?,
        headers: [(name: String, value: String)],
        body: [UInt8],
        receivedAt: ContinuousClock.Instant
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first(where: { $0.name.lowercased() == lowered })?.value
    }

    /// The body decoded as UTF-8.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
