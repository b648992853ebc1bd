import SluiceCore

/// One endpoint of a routes file with its tenant, looked up once per routes file rather than
/// copied out of two dictionaries for every attempt (each copy of the two configurations
/// retained and released every string and array in them).
final class DeliveryTarget: Sendable {
    let tenant: TenantConfig
    let endpoint: EndpointConfig

    init(tenant: TenantConfig, endpoint: EndpointConfig) {
        self.tenant = tenant
        self.endpoint = endpoint
    }
}
