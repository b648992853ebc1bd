import SluiceCore

/// One receiver endpoint of a scenario: where it sits in routes.yaml and how it behaves.
public struct ChaosEndpoint: Sendable {
    /// Tenant and endpoint name in routes.yaml.
    public let ref: EndpointRef
    /// The tenant's signing secret (the receiver verifies every delivery with it).
    public let secret: String
    /// How the receiver answers.
    public let behavior: EndpointBehavior
    /// The endpoint's `timeout` in routes.yaml.
    public let timeout: Duration
    /// The dead-letter reason every delivery to this endpoint must end with, when it cannot succeed.
    public let expectedDeadLetter: DeadLetterReason?
    /// The endpoint's `retry.schedule`: compressed to seconds so a run settles quickly.
    let retrySchedule: String
    /// The endpoint's `rate_limit`, if any (`10/s`).
    let rateLimit: String?

    /// 12 attempts over ~19 s: the production schedule's shape, in seconds.
    static let shortSchedule = "[0s, 250ms, 500ms, 1s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s]"
    /// 16 attempts over ~57 s, for endpoints that fail often: with the short schedule, 1 in ~1,500
    /// deliveries to the flapping endpoint exhausted it (attempts landing in down phases while
    /// its circuit opened and closed), an artifact of compressing 28 h of retries into 19 s.
    static let patientSchedule = "[0s, 250ms, 500ms, 1s, 2s, 3s, 5s, 5s, 5s, 5s, 5s, 5s, 5s, 5s, 5s, 5s]"

    init(
        _ tenant: String, _ name: String, secret: String, behavior: EndpointBehavior = .healthy, timeout: Duration = .seconds(2),
        expectedDeadLetter: DeadLetterReason? = nil, retrySchedule: String = ChaosEndpoint.shortSchedule, rateLimit: String? = nil
    ) {
        ref = EndpointRef(tenant: tenant, endpoint: name)
        self.secret = secret
        self.behavior = behavior
        self.timeout = timeout
        self.expectedDeadLetter = expectedDeadLetter
        self.retrySchedule = retrySchedule
        self.rateLimit = rateLimit
    }

    /// The receiver's path for this endpoint.
    var path: String { "/\(ref.tenant)/\(ref.endpoint)" }

    static let acmeSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
    static let opsSecret = "whsec_HkGuxnP4EgFBmZzxx48faJEytrEmXOl5"
    static let flakySecret = "whsec_L90BTQCzoM+vHS1sZTwRsdaSI1r+MbtD"

    /// The two healthy endpoints every scenario fans out to: two tenants, two secrets.
    static let standard = [
        ChaosEndpoint("acme", "main", secret: acmeSecret),
        ChaosEndpoint("ops", "audit", secret: opsSecret),
    ]
}
