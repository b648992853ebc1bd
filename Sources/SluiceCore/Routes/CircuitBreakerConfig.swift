/// The `circuit_breaker:` block of an endpoint.
public struct CircuitBreakerConfig: Sendable, Equatable {
    /// Consecutive failures that open the circuit.
    public var failures: Int
    /// How long the circuit stays open before one probe is let through.
    public var cooldown: Duration

    /// Creates a circuit breaker configuration (defaults: 20 failures, 30 s).
    public init(failures: Int = 20, cooldown: Duration = .seconds(30)) {
        self.failures = failures
        self.cooldown = cooldown
    }
}
