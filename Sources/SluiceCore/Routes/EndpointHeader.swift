/// A static request header of an endpoint.
public struct EndpointHeader: Sendable, Equatable {
    /// The header name as written.
    public var name: String
    /// The header value; may contain an expanded `${env:…}` secret, so never log it.
    public var value: String

    /// Creates a header.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
