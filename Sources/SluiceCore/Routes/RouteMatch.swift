/// The `match:` block of a route; an absent part matches anything.
public struct RouteMatch: Sendable, Equatable {
    /// The source name the event must have come from; nil for any source.
    public var source: String?
    /// Glob on the channel path segment; nil for any channel (or none).
    public var channel: RouteGlob?
    /// Globs on the event type, any of which must match; nil matches every type, even the empty one.
    public var events: [RouteGlob]?
    /// Conditions on the body, all of which must hold.
    public var conditions: [WhereCondition]

    /// Creates a match block.
    public init(source: String? = nil, channel: RouteGlob? = nil, events: [RouteGlob]? = nil, conditions: [WhereCondition] = []) {
        self.source = source
        self.channel = channel
        self.events = events
        self.conditions = conditions
    }
}
