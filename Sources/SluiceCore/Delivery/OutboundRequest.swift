/// The description of one outbound delivery request: always a `POST` of `body` to `url`.
///
/// Plain values, so the HTTP layer can map them onto its own request type.
public struct OutboundRequest: Sendable {
    /// The endpoint URL.
    public var url: String
    /// Headers in sending order, names lower-case for our own headers, as written for static ones.
    public var headers: [(name: String, value: String)]
    /// The inbound raw body, byte for byte.
    public var body: [UInt8]

    /// Creates a request description.
    public init(url: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}
