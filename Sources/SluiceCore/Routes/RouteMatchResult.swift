/// Which endpoints an event goes to, and why each route did or did not match.
public struct RouteMatchResult: Sendable, Equatable {
    /// Every endpoint to deliver to, de-duplicated, in the order routes first named them.
    public var targets: [EndpointRef]
    /// Names of the routes that matched, in file order.
    public var matchedRoutes: [String]
    /// One entry per route in file order, for `sluice routes explain`.
    public var explanations: [RouteExplanation]

    /// Creates a result.
    public init(targets: [EndpointRef], matchedRoutes: [String], explanations: [RouteExplanation]) {
        self.targets = targets
        self.matchedRoutes = matchedRoutes
        self.explanations = explanations
    }

    /// True when no endpoint receives the event, which dead-letters it as `no_route`.
    public var isNoRoute: Bool { targets.isEmpty }
}
