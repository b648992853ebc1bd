public import SluiceCore

/// What an event search asks for (console "Events", `sluice events list`). Every filter given
/// must hold; an event with several targets matches when one of the targets the tenant and
/// endpoint filters leave has the outcome asked for.
public struct EventQuery: Sendable, Equatable {
    public var source: String?
    public var tenant: String?
    public var endpoint: EndpointRef?
    /// The event type, exactly, or a prefix ending in `*` (`batch.*`).
    public var eventType: String?
    public var outcome: DeliveryStanding?
    /// Routed at or after (unix ms).
    public var sinceMillis: Int64?
    /// Routed at or before (unix ms).
    public var untilMillis: Int64?

    public init(
        source: String? = nil, tenant: String? = nil, endpoint: EndpointRef? = nil, eventType: String? = nil, outcome: DeliveryStanding? = nil,
        sinceMillis: Int64? = nil, untilMillis: Int64? = nil
    ) {
        self.source = source
        self.tenant = tenant
        self.endpoint = endpoint
        self.eventType = eventType
        self.outcome = outcome
        self.sinceMillis = sinceMillis
        self.untilMillis = untilMillis
    }

    /// Whether any filter narrows the search beyond the time window.
    public var narrows: Bool { source != nil || tenant != nil || endpoint != nil || eventType != nil || outcome != nil }

    /// The targets of `event` the tenant and endpoint filters leave; nil when the event fails a
    /// filter that needs no log (source, type, tenant, endpoint).
    func consideredTargets(of event: IndexedEvent) -> [EndpointRef]? {
        if let source, event.source != source { return nil }
        if let eventType {
            if eventType.hasSuffix("*") {
                guard event.eventType.hasPrefix(eventType.dropLast()) else { return nil }
            } else if event.eventType != eventType {
                return nil
            }
        }
        guard tenant != nil || endpoint != nil else { return event.targets }
        let kept = event.targets.filter { target in
            (tenant == nil || target.tenant == tenant) && (endpoint == nil || target == endpoint)
        }
        return kept.isEmpty ? nil : kept
    }

    /// Whether `hit` (its standings read) has the outcome asked for: one of its considered
    /// targets stands so, or, without targets, the event as a whole does (no route, expired).
    func accepts(_ hit: EventSearchHit) -> Bool {
        guard let outcome else { return true }
        if hit.standings.isEmpty { return hit.summary == outcome }
        return hit.standings.contains { $0.standing == outcome }
    }
}
