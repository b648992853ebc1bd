import SluiceCore
import Synchronization

/// One ``CircuitBreaker`` per endpoint in this process.
///
/// A breaker whose endpoint's `circuit_breaker:` block changed on reload starts afresh (closed).
final class CircuitBreakers: Sendable {
    private let breakers = Mutex<[EndpointRef: CircuitBreaker]>([:])

    /// What an attempt may do now.
    enum Decision: Equatable {
        case send
        /// Open (or its probe is out): try again at this unix ms.
        case wait(untilMillis: Int64)
    }

    /// An open circuit not yet due for a probe: when its probe may go, and since when it has been
    /// open without a probe succeeding (unix ms).
    struct Open: Equatable {
        var reopensAtMillis: Int64
        var sinceMillis: Int64
    }

    /// Whether the endpoint is open and not yet due for a probe; does not claim the probe.
    func isOpen(_ endpoint: EndpointConfig, nowMillis: Int64) -> Open? {
        breakers.withLock { all in
            guard let breaker = all[endpoint.ref], let reopens = breaker.reopensAt(), nowMillis < reopens else { return nil }
            return Open(reopensAtMillis: reopens, sinceMillis: breaker.openSinceMillis ?? nowMillis)
        }
    }

    /// Asks the breaker whether a request may go; in half-open this claims the single probe.
    func admit(_ endpoint: EndpointConfig, nowMillis: Int64) -> Decision {
        breakers.withLock { all in
            var breaker = Self.breaker(in: all, for: endpoint)
            defer { all[endpoint.ref] = breaker }
            if breaker.canSend(nowMillis: nowMillis) { return .send }
            // Half-open with its probe out: look again after a cooldown at the latest.
            let retryAt = breaker.reopensAt() ?? nowMillis + min(1000, max(100, endpoint.circuitBreaker.cooldown.wholeMilliseconds))
            return .wait(untilMillis: retryAt)
        }
    }

    /// What recording a result did to the circuit.
    struct Change: Equatable {
        /// Whether the circuit is open afterwards.
        var isOpen: Bool
        /// Whether it opened or closed just now (not re-opened after a failed probe).
        var flipped: Bool
        /// When a probe may go, while open.
        var probeAtMillis: Int64?
        /// Whether this result was a probe's, and it failed: the circuit is open again.
        var probeFailed = false
    }

    /// Records an attempt's result.
    func record(_ endpoint: EndpointConfig, success: Bool, nowMillis: Int64) -> Change {
        breakers.withLock { all in
            var breaker = Self.breaker(in: all, for: endpoint)
            let wasOpen = breaker.state != .closed
            let probing = breaker.state == .halfOpen
            breaker.record(success: success, nowMillis: nowMillis)
            all[endpoint.ref] = breaker
            let isOpen = breaker.state != .closed
            return Change(
                isOpen: breaker.state == .open, flipped: wasOpen != isOpen, probeAtMillis: breaker.reopensAt(),
                probeFailed: probing && !success)
        }
    }

    /// The endpoints whose circuit this process holds open (or half-open) as of `nowMillis`, for
    /// the `sluice_endpoint_circuit_open` gauge. Left out: a circuit whose endpoint is gone or whose
    /// `circuit_breaker:` block changed (it starts afresh, closed, when next used), and one whose
    /// probe was due more than `forgetAfterMillis` ago with no attempt through this process since
    /// — another worker may well have delivered to it meanwhile (`sluice status` forgets such a
    /// report after the same time).
    func openEndpoints(nowMillis: Int64, forgetAfterMillis: Int64, config: (EndpointRef) -> CircuitBreakerConfig?) -> Set<EndpointRef> {
        breakers.withLock { all in
            Set(all.compactMap { ref, breaker -> EndpointRef? in
                guard let deadline = breaker.deadline, nowMillis - deadline < forgetAfterMillis, config(ref) == breaker.config else { return nil }
                return ref
            })
        }
    }

    /// The endpoints whose circuit is not closed in this process (open, or half-open with its probe out).
    func notClosed() -> [EndpointRef] {
        breakers.withLock { all in all.compactMap { $0.value.deadline == nil ? nil : $0.key } }
    }

    private static func breaker(in all: [EndpointRef: CircuitBreaker], for endpoint: EndpointConfig) -> CircuitBreaker {
        if let existing = all[endpoint.ref], existing.config == endpoint.circuitBreaker { return existing }
        return CircuitBreaker(config: endpoint.circuitBreaker)
    }
}
