/// Per-endpoint circuit breaker as a pure state machine; times are unix milliseconds.
///
/// closed → open after `failures` consecutive failures; open until `cooldown` has passed; then
/// half-open lets exactly one probe through: its success closes the circuit, its failure opens it
/// again with a fresh cooldown.
///
/// Results cannot be matched to the request that produced them, so: while open, late results of
/// requests sent before it opened are ignored (they neither close it nor extend the cooldown);
/// while half-open, the first result recorded decides. A probe whose result never arrives (its
/// worker died, the task was cancelled) is given up after one more cooldown, and a new probe goes.
public struct CircuitBreaker: Sendable, Equatable {
    /// Thresholds from the endpoint's `circuit_breaker:` block.
    public var config: CircuitBreakerConfig
    /// The current state as of the last call; an open circuit turns half-open in ``canSend(nowMillis:)``.
    public private(set) var state: CircuitBreakerState = .closed
    /// Failures in a row while closed.
    public private(set) var consecutiveFailures = 0
    /// Open: when a probe may go. Half-open: when the claimed probe is given up.
    private var deadlineMillis: Int64 = 0
    /// When the circuit opened after being closed (unix ms): kept through failed probes, nil once
    /// a success closes it. How long the endpoint has been down, as this breaker saw it.
    public private(set) var openSinceMillis: Int64?

    /// Creates a closed breaker.
    public init(config: CircuitBreakerConfig) {
        self.config = config
    }

    /// When an open circuit lets its probe through (unix ms); nil unless open.
    public func reopensAt() -> Int64? {
        state == .open ? deadlineMillis : nil
    }

    /// Open: when its probe may go; half-open: when the claimed probe is given up; nil when closed.
    public var deadline: Int64? {
        state == .closed ? nil : deadlineMillis
    }

    /// Whether a request may go now; in half-open this claims the single probe.
    public mutating func canSend(nowMillis: Int64) -> Bool {
        switch state {
        case .closed:
            return true
        case .open, .halfOpen:
            guard nowMillis >= deadlineMillis else { return false }
            state = .halfOpen
            deadlineMillis = Self.adding(config.cooldown, to: nowMillis)
            return true
        }
    }

    /// Records the result of a request.
    public mutating func record(success: Bool, nowMillis: Int64) {
        switch (state, success) {
        case (.closed, true), (.halfOpen, true):
            state = .closed
            consecutiveFailures = 0
            openSinceMillis = nil
        case (.closed, false):
            consecutiveFailures += 1
            if consecutiveFailures >= max(1, config.failures) { open(nowMillis: nowMillis) }
        case (.halfOpen, false):
            open(nowMillis: nowMillis)
        case (.open, _):
            break
        }
    }

    private mutating func open(nowMillis: Int64) {
        if openSinceMillis == nil { openSinceMillis = nowMillis }
        state = .open
        consecutiveFailures = 0
        deadlineMillis = Self.adding(config.cooldown, to: nowMillis)
    }

    private static func adding(_ duration: Duration, to millis: Int64) -> Int64 {
        let (sum, overflow) = millis.addingReportingOverflow(max(0, duration.wholeMilliseconds))
        return overflow ? .max : sum
    }
}
