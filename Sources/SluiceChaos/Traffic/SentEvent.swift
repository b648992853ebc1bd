/// What happened to one event the harness sent, from the sender's side.
struct SentEvent: Sendable {
    let id: String
    let body: [UInt8]
    /// Seconds added to the sender's clock for this event's `webhook-timestamp`.
    let skewSeconds: Int64
    var attempts = 0
    /// When the first 2xx came back: the moment the sender was told "stored".
    var acceptedAt: ContinuousClock.Instant?
    /// 202, or 200 when the first 2xx was a duplicate answer.
    var acceptedStatus: Int?
    /// Explicit 503 answers (Redis down or full, durability unmet).
    var refusals = 0
    /// Attempts that got no HTTP answer (edge killed, connection refused, timeout).
    var transportFailures = 0
    /// A final 4xx answer (the sender does not retry those).
    var rejectedStatus: Int?

    /// A `200 duplicate` as the first 2xx when every earlier attempt was an explicit 503: the edge
    /// said "not stored", yet the id was remembered — a half-written event.
    var duplicateAfterRefusalsOnly: Bool {
        acceptedStatus == 200 && transportFailures == 0 && refusals > 0
    }
}
