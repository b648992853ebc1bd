/// Why an attempt got no HTTP response; every kind is retried by the schedule.
public enum TransportFailureKind: String, Sendable, Hashable, CaseIterable {
    /// The attempt exceeded the endpoint's timeout.
    case timeout
    /// The TCP connection was refused or the host unreachable.
    case connect
    /// The TLS handshake or certificate verification failed.
    case tls
    /// The host name did not resolve.
    case dns
    /// Anything else (connection reset, empty reply, protocol error).
    case other
}
