/// Decides which endpoints receive an event, following the rules in docs/routes.md ("routes").
///
/// Every matching route contributes its targets, each endpoint at most once; a matching route
/// with `final: true` stops evaluation. Pure and cheap: build one per config snapshot.
public struct RouteMatcher: Sendable {
    /// The configuration whose routes and tenants are used.
    public let config: RoutesConfig

    /// Creates a matcher for `config`.
    public init(config: RoutesConfig) {
        self.config = config
    }

    /// Matches one event.
    ///
    /// - Parameters:
    ///   - source: The source name the event arrived on.
    ///   - channel: The channel path segment, if any.
    ///   - eventType: The body's `type`, or "" (which matches only routes without `events`).
    ///   - body: The parsed body, for `where` conditions.
    public func match(source: String, channel: String?, eventType: String, body: JSONValue) -> RouteMatchResult {
        var targets: [EndpointRef] = []
        var seen: Set<EndpointRef> = []
        var matchedRoutes: [String] = []
        var explanations: [RouteExplanation] = []
        var finalRoute: String?

        for route in config.routes {
            if let finalRoute {
                explanations.append(RouteExplanation(route: route.name, outcome: .skipped(afterFinalRoute: finalRoute), reasons: [], addedTargets: []))
                continue
            }
            var (failures, passes) = Self.check(route.match, source: source, channel: channel, eventType: eventType, body: body)
            guard failures.isEmpty else {
                explanations.append(RouteExplanation(route: route.name, outcome: .notMatched, reasons: failures + passes, addedTargets: []))
                continue
            }
            matchedRoutes.append(route.name)
            var added: [EndpointRef] = []
            for target in route.to {
                let (refs, note) = expand(target, channel: channel)
                if let note { passes.append(note) }
                for ref in refs {
                    if seen.insert(ref).inserted {
                        targets.append(ref)
                        added.append(ref)
                    } else {
                        passes.append("\(ref) already receives the event from an earlier route")
                    }
                }
            }
            if route.final {
                passes.append("final: later routes are not evaluated")
                finalRoute = route.name
            }
            explanations.append(RouteExplanation(route: route.name, outcome: .matched, reasons: passes, addedTargets: added))
        }
        return RouteMatchResult(targets: targets, matchedRoutes: matchedRoutes, explanations: explanations)
    }

    /// The endpoints a target names for this event, with a note when it names none.
    private func expand(_ target: TargetSpec, channel: String?) -> ([EndpointRef], String?) {
        func endpoints(of tenant: String) -> [EndpointRef] {
            (config.tenants[tenant]?.endpoints.keys.sorted() ?? []).map { EndpointRef(tenant: tenant, endpoint: $0) }
        }
        switch target {
        case .endpoint(let ref):
            return config.endpoint(ref) == nil ? ([], "\(ref) does not exist") : ([ref], nil)
        case .allEndpoints(let tenant):
            return (endpoints(of: tenant), nil)
        case .channelTenant:
            guard let channel else { return ([], "{channel}/*: the event has no channel") }
            guard config.tenants[channel] != nil else { return ([], "{channel}/*: no tenant is named '\(channel)'") }
            return (endpoints(of: channel), nil)
        case .channelTenantEndpoint(let endpoint):
            guard let channel else { return ([], "{channel}/\(endpoint): the event has no channel") }
            let ref = EndpointRef(tenant: channel, endpoint: endpoint)
            guard config.endpoint(ref) != nil else { return ([], "{channel}/\(endpoint): \(ref) does not exist") }
            return ([ref], nil)
        }
    }
}
