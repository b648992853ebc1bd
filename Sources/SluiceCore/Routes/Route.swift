/// One entry of `routes:`: which events it matches and which endpoints receive them.
public struct Route: Sendable, Equatable {
    /// The route's name, unique in the file.
    public var name: String
    /// What an event must look like to match.
    public var match: RouteMatch
    /// Where a matching event goes.
    public var to: [TargetSpec]
    /// When true, routes after this one are not evaluated once it matches.
    public var final: Bool

    /// Creates a route.
    public init(name: String, match: RouteMatch = RouteMatch(), to: [TargetSpec], final: Bool = false) {
        self.name = name
        self.match = match
        self.to = to
        self.final = final
    }
}
