public import SluiceCore

/// What `sluice status` says about one endpoint.
///
/// routes.yaml has no switch that pauses an endpoint (docs/routes.md lists none), so *paused* here
/// means what an operator can see the gateway doing: holding the endpoint's deliveries back for
/// a reason other than its circuit. The one such reason every worker shares is the endpoint's
/// `rate_limit` bucket in Redis: while it is empty, deliveries that come due wait in the
/// endpoint's waiting line, not sent. (A full lane in one worker also sends deliveries to the
/// line for a moment; that lane lives in the worker's memory and is not shown.)
public struct EndpointState: Sendable {
    /// The endpoint's condition, most serious first.
    public enum Condition: Sendable, Equatable {
        /// A worker's breaker is open: deliveries wait in the endpoint's line until it probes at this unix ms.
        case circuitOpen(probeAtMillis: Int64)
        /// The cooldown is over (since this unix ms): the next delivery is the probe that closes the circuit or opens it again.
        case halfOpen(sinceMillis: Int64)
        /// Deliveries are held back until this unix ms: `reason` is `rate_limited`.
        case paused(reason: String, untilMillis: Int64)
        case ok

        /// The `state` of `status --json`.
        public var name: String {
            switch self {
            case .circuitOpen: "circuit_open"
            case .halfOpen: "half_open"
            case .paused: "paused"
            case .ok: "ok"
            }
        }
    }

    public var endpoint: EndpointRef
    public var condition: Condition
    /// The workers (consumer names) that reported the endpoint's circuit, if any.
    public var workers: [String]
    /// False for an endpoint a worker reported that the routes file does not name (removed since).
    public var configured: Bool

    /// Each endpoint of `routes`, and each one only `circuits` name, in name order.
    ///
    /// - Parameters:
    ///   - circuits: current reports of open circuits (stale ones already dropped).
    ///   - buckets: the shared rate-limit bucket of each rate-limited endpoint, as stored in Redis
    ///     (absent: full — the script lets a full bucket's key expire).
    public static func all(routes: RoutesConfig, circuits: [OpenCircuit], buckets: [EndpointRef: TokenBucket], nowMillis: Int64) -> [EndpointState] {
        let configured = Set(routes.tenants.values.flatMap { $0.endpoints.values.map(\.ref) })
        let reported = Dictionary(grouping: circuits, by: \.endpoint)
        return configured.union(reported.keys).sorted().map { ref in
            let reports = reported[ref] ?? []
            var condition = Condition.ok
            if let latest = reports.map(\.probeAtMillis).max() {
                // One worker still waiting out its cooldown is enough to hold deliveries back.
                condition = latest > nowMillis ? .circuitOpen(probeAtMillis: latest) : .halfOpen(sinceMillis: latest)
            } else if let wait = buckets[ref]?.waitMillis(nowMillis: nowMillis) {
                condition = .paused(reason: "rate_limited", untilMillis: nowMillis + wait)
            }
            return EndpointState(endpoint: ref, condition: condition, workers: reports.map(\.consumer).sorted(), configured: configured.contains(ref))
        }
    }
}
