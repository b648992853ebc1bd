/// Names one endpoint of one tenant: the unit that receives a delivery.
public struct EndpointRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The tenant's name.
    public var tenant: String
    /// The endpoint's name within the tenant.
    public var endpoint: String

    /// Creates a reference to `tenant/endpoint`.
    public init(tenant: String, endpoint: String) {
        self.tenant = tenant
        self.endpoint = endpoint
    }

    /// Parses `tenant/endpoint`; nil when there is not exactly one `/` or a side is empty.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(tenant: String(parts[0]), endpoint: String(parts[1]))
    }

    /// `tenant/endpoint`.
    public var description: String { "\(tenant)/\(endpoint)" }

    /// Orders by tenant, then endpoint.
    public static func < (lhs: EndpointRef, rhs: EndpointRef) -> Bool {
        (lhs.tenant, lhs.endpoint) < (rhs.tenant, rhs.endpoint)
    }
}
