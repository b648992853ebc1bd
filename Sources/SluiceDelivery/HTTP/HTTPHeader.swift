/// One request or response header field.
public struct HTTPHeader: Sendable, Hashable {
    /// Field name; response headers carry it lowercased.
    public var name: String
    /// Field value, without surrounding whitespace.
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The value of the first field named `name` (case-insensitive).
    public subscript(name name: String) -> String? {
        let lowered = name.lowercased()
        return first(where: { $0.name.lowercased() == lowered })?.value
    }
}
