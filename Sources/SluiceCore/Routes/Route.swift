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

/// One `where:` entry: a dotted JSON path and a test on the value there.
public struct WhereCondition: Sendable, Equatable {
    /// Dotted path into the body, such as `data.output_file_uri`.
    public var path: String
    /// The test.
    public var test: WhereTest

    /// Creates a condition.
    public init(path: String, test: WhereTest) {
        self.path = path
        self.test = test
    }
}

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

/// One entry of a route's `to:` list.
public enum TargetSpec: Sendable, Equatable, CustomStringConvertible {
    /// `tenant/endpoint`.
    case endpoint(EndpointRef)
    /// `tenant/*`: every endpoint of the tenant.
    case allEndpoints(tenant: String)
    /// `{channel}/*`: every endpoint of the tenant named by the event's channel.
    case channelTenant
    /// `{channel}/endpoint`: that endpoint of the tenant named by the event's channel.
    case channelTenantEndpoint(String)

    /// The target as written in routes.yaml.
    public var description: String {
        switch self {
        case .endpoint(let ref): ref.description
        case .allEndpoints(let tenant): "\(tenant)/*"
        case .channelTenant: "{channel}/*"
        case .channelTenantEndpoint(let endpoint): "{channel}/\(endpoint)"
        }
    }
}
