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
