import SluiceCore
import SluiceDelivery

extension HTTPClientError {
    /// How the retry maths sees this failure; nil when no attempt was really made (the client
    /// shut down or the task was cancelled), so the delivery must stay pending instead.
    var transportFailureKind: TransportFailureKind? {
        switch kind {
        case .timeout: .timeout
        case .connect: .connect
        case .tls: .tls
        case .dns: .dns
        case .invalidRequest, .other, .addressMismatch: .other
        case .shutdown, .cancelled: nil
        }
    }
}
