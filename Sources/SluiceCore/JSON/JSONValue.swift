/// A parsed JSON document, as route `where` conditions see an event body.
///
/// Numbers are kept as `Double`: route conditions compare identifiers, flags and small
/// counters, and Gemini sends large identifiers as strings.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// Any JSON number.
    case number(Double)
    /// A string, with escapes decoded.
    case string(String)
    /// An array, in document order.
    case array([JSONValue])
    /// An object; a repeated member name keeps its last value.
    case object([String: JSONValue])
}

extension JSONValue {
    /// The value at a dotted path such as `data.output_file_uri`, or nil when any step is missing.
    ///
    /// A segment that is a non-negative integer indexes into an array (`data.items.0.name`).
    /// The empty path names the value itself.
    public subscript(path path: String) -> JSONValue? {
        if path.isEmpty { return self }
        var current = self
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            switch current {
            case .object(let members):
                guard let next = members[String(segment)] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Int(segment), index >= 0, index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The string payload, or nil for other kinds.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
