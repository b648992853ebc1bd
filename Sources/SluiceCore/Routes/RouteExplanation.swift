/// How one route treated one event.
public struct RouteExplanation: Sendable, Equatable {
    /// What happened to the route.
    public enum Outcome: Sendable, Equatable {
        /// Every part of `match` held.
        case matched
        /// At least one part of `match` failed; `reasons` says which.
        case notMatched
        /// Not evaluated because an earlier route with `final: true` matched.
        case skipped(afterFinalRoute: String)
    }

    /// The route's name.
    public var route: String
    /// Matched, not matched or skipped.
    public var outcome: Outcome
    /// One line per check (`event type 'batch.succeeded' matches 'batch.*'`), failed ones first.
    public var reasons: [String]
    /// Endpoints this route added (ones already added by earlier routes are not repeated).
    public var addedTargets: [EndpointRef]

    /// Creates an explanation.
    public init(route: String, outcome: Outcome, reasons: [String], addedTargets: [EndpointRef]) {
        self.route = route
        self.outcome = outcome
        self.reasons = reasons
        self.addedTargets = addedTargets
    }
}
