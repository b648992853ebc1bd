import Foundation
import SluiceCore
import SluiceTesting

/// Tenant signing secrets used by the tests (test-only values), and the receiver's check.
enum TenantSecrets {
    static let acme = "whsec_SmNj/dxtVTBG17O72EneN4+MmYQAxx2T"
    static let ops = "whsec_bfuUhyWkxAPQpWUxh4idXfM5ImMkPgFS"
    static let acmeNext = "whsec_juBbdrqJMOpsyHS2sx++H/UgEjnfmApX"

    /// Whether a received request's `webhook-signature` verifies with `secret` alone, as a tenant would check it.
    static func verifies(_ request: SinkRequest, with secret: String) -> Bool {
        request.isSigned(with: secret)
    }
}
