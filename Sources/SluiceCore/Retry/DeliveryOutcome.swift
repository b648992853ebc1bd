/// What to do with a delivery after an attempt.
public enum DeliveryOutcome: Sendable, Equatable {
    /// A 2xx: done.
    case delivered
    /// Try again after `after`, carrying the attempt's status and error along.
    case retry(after: Duration, lastStatus: Int?, lastError: String?)
    /// Move to the dead-letter stream.
    case deadLetter(DeadLetterReason, lastStatus: Int?, lastError: String?)

    /// Classifies the result of attempt `attempt` (1-based, the one just made).
    ///
    /// - 2xx → delivered. 3xx counts as a failure, since redirects are not followed.
    /// - 410 → dead letter `gone` at once; a refused address → `blocked_address` at once.
    /// - 429/503 with a `Retry-After` → the next delay is at least that (capped at the schedule's
    ///   largest step); every other failure waits the jittered scheduled step.
    /// - No attempt left in the schedule → dead letter `exhausted` with the last status and error.
    public static func classify(
        _ result: AttemptResult,
        attempt: Int,
        policy: RetryPolicy,
        nowMillis: Int64,
        random: inout some RandomNumberGenerator
    ) -> DeliveryOutcome {
        let status: Int?
        let error: String
        var retryAfter: Duration?
        switch result {
        case .response(let code, let retryAfterValue):
            if (200...299).contains(code) { return .delivered }
            status = code
            if code == 410 { return .deadLetter(.gone, lastStatus: code, lastError: "HTTP 410 Gone") }
            if code == 429 || code == 503, let retryAfterValue {
                retryAfter = RetryAfter.delay(from: retryAfterValue, nowMillis: nowMillis)
            }
            error = (300...399).contains(code) ? "HTTP \(code) (redirects are not followed)" : "HTTP \(code)"
        case .transportFailure(let kind, let message):
            status = nil
            error = message.isEmpty ? kind.rawValue : "\(kind.rawValue): \(message)"
        case .blockedAddress(let message):
            return .deadLetter(.blockedAddress, lastStatus: nil, lastError: "blocked address: \(message)")
        }
        guard let delay = policy.delay(beforeAttempt: attempt + 1, retryAfter: retryAfter, random: &random) else {
            return .deadLetter(.exhausted, lastStatus: status, lastError: error)
        }
        return .retry(after: delay, lastStatus: status, lastError: error)
    }
}
