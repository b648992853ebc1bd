/// The operators of a `where:` condition.
public enum WhereTest: Sendable, Equatable {
    /// The value equals this one (a bare scalar in the file means `equals`).
    case equals(JSONValue)
    /// The value is a string matching the glob.
    case glob(RouteGlob)
    /// The value equals one of these.
    case oneOf([JSONValue])
    /// The path is present (true) or absent (false); a JSON `null` counts as present.
    case exists(Bool)
}
