import SluiceCore
import SluiceDelivery

/// Everything the worker derives from one routes file, swapped whole on reload.
///
/// A delivery attempt reads one snapshot and uses it to the end, so a reload mid-attempt never
/// mixes two configurations. A class, so that handing the snapshot to each attempt is one
/// reference, not a copy of every configuration in it.
final class WorkerSnapshot: Sendable {
    let routes: RoutesConfig
    let matcher: RouteMatcher
    /// The SSRF guard for `routes.network`; CIDRs were validated at load, so none is dropped here.
    let ssrfGuard: SSRFGuard
    /// Endpoints whose URL names an IP address: their attempts start without a name lookup
    /// (decided once per routes file, not per delivery, for lane sizing).
    let endpointsWithoutLookup: Set<EndpointRef>
    private let targets: [EndpointRef: DeliveryTarget]

    init(routes: RoutesConfig) {
        self.routes = routes
        self.matcher = RouteMatcher(config: routes)
        let policy = AddressPolicy(
            allowPrivate: routes.network.allowPrivate,
            allowCIDRs: routes.network.allowCIDRs.compactMap { CIDR(parsing: $0) }
        )
        self.ssrfGuard = SSRFGuard(policy: policy)
        self.endpointsWithoutLookup = Set(routes.tenants.values.flatMap { tenant in
            tenant.endpoints.values.compactMap { endpoint in
                LaneSizing.needsLookup(url: endpoint.url) ? nil : EndpointRef(tenant: tenant.name, endpoint: endpoint.name)
            }
        })
        var targets: [EndpointRef: DeliveryTarget] = [:]
        for tenant in routes.tenants.values {
            for endpoint in tenant.endpoints.values {
                targets[EndpointRef(tenant: tenant.name, endpoint: endpoint.name)] = DeliveryTarget(tenant: tenant, endpoint: endpoint)
            }
        }
        self.targets = targets
    }

    /// The endpoint `ref` names and its tenant, or nil when routes.yaml has no such endpoint.
    func target(_ ref: EndpointRef) -> DeliveryTarget? {
        targets[ref]
    }
}
