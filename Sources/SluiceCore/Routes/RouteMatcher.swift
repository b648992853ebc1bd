/// Decides which endpoints receive an event, following the rules in docs/routes.md ("routes").
///
/// Every matching route contributes its targets, each endpoint at most once; a matching route
/// with `final: true` stops evaluation. Pure and cheap: build one per config snapshot.
///
/// Two entry points share one set of rules: ``match(source:channel:eventType:body:)`` explains
/// every route in words (for `sluice routes explain` and the console), and
/// ``targets(source:channel:eventType:body:)`` only decides, for the router's hot path.
public struct RouteMatcher: Sendable {
    /// The configuration whose routes and tenants are used.
    public let config: RoutesConfig
    /// Each tenant's endpoints in name order, as `tenant/*` expands: sorted once per snapshot
    /// instead of once per routed event.
    private let endpointsByTenant: [String: [EndpointRef]]

    /// Creates a matcher for `config`.
    public init(config: RoutesConfig) {
        self.config = config
        self.endpointsByTenant = Dictionary(
            uniqueKeysWithValues: config.tenants.map { name, tenant in
                (name, tenant.endpoints.keys.sorted().map { EndpointRef(tenant: name, endpoint: $0) })
            })
    }

    /// The endpoints that receive an event: the same targets, in the same order, as
    /// ``match(source:channel:eventType:body:)``, without the explanations, and parsing `body`
    /// only when a route's `where` conditions are evaluated (an unparseable body matches no
    /// condition that needs a value, as in `match`).
    public func targets(source: String, channel: String?, eventType: String, body: [UInt8]) -> [EndpointRef] {
        var parsed: JSONValue?
        func parsedBody() -> JSONValue {
            if let parsed { return parsed }
            let value = (try? JSONValue(parsing: body)) ?? .object([:])
            parsed = value
            return value
        }
        var targets: [EndpointRef] = []
        // A tenant's endpoints are distinct, so duplicates can only come from a second target list.
        var lists = 0
        for route in config.routes where Self.matches(route.match, source: source, channel: channel, eventType: eventType, body: parsedBody) {
            for target in route.to {
                let refs = expand(target, channel: channel).refs
                guard !refs.isEmpty else { continue }
                lists += 1
                targets += refs
            }
            if route.final { break }
        }
        guard lists > 1 else { return targets }
        var seen: Set<EndpointRef> = []
        return targets.filter { seen.insert($0).inserted }
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
    private func expand(_ target: TargetSpec, channel: String?) -> (refs: [EndpointRef], note: String?) {
        func endpoints(of tenant: String) -> [EndpointRef] {
            endpointsByTenant[tenant] ?? []
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
