/// The state of an endpoint's circuit breaker.
public enum CircuitBreakerState: String, Sendable, Hashable, CaseIterable {
    /// Requests flow; consecutive failures are counted.
    case closed
    /// Requests are held back until the cooldown passes.
    case open
    /// The cooldown passed: one probe request decides whether the circuit closes again.
    case halfOpen = "half_open"
}
