/// The outcome of one scenario: what was sent, what the gateway did with it, and whether the
/// "nothing accepted is ever lost" claim held.
public struct ScenarioReport: Sendable {
    /// The scenario's name.
    public var scenario: String
    /// Events the harness made up and sent (at least one attempt each).
    public var sent = 0
    /// Events an edge answered 2xx (202, or 200 duplicate after a lost 202).
    public var accepted = 0
    /// Events an edge refused with a 4xx (the sender does not retry those).
    public var rejected = 0
    /// Events the sender gave up on without an answer (never told "accepted", so not a loss).
    public var unacknowledged = 0
    /// Endpoints every event fans out to.
    public var fanOut = 0
    /// Accepted events × endpoints: the deliveries that must be accounted for.
    public var expected = 0
    /// Of `expected`: delivered at least once with a valid tenant signature and the exact body.
    public var delivered = 0
    /// Of `expected`: not delivered, in the DLQ with the reason the scenario expects.
    public var deadLettered = 0
    /// Of `expected`: neither delivered nor dead-lettered. Must be 0.
    public var lost = 0
    /// Deliveries beyond the first of the same event to the same endpoint (at-least-once at work).
    public var duplicates = 0
    /// Accepted at the edge → first accepted delivery, 50th and 99th percentile.
    public var p50Delay: Duration?
    public var p99Delay: Duration?
    /// Explicit 503 answers the sender got (and retried).
    public var refusals = 0
    /// Attempts that got no HTTP answer at all (edge killed, connection refused), retried.
    public var unanswered = 0
    /// Per endpoint: delivered, duplicates, dead-lettered (for scenarios with several behaviours).
    public var perEndpoint: [String] = []
    /// Events answered `200 duplicate` although every earlier attempt was told 503: half-written.
    public var halfWritten = 0
    /// Deliveries the receivers refused: signature not valid with the tenant's secret, or body altered.
    public var badSignatures = 0
    public var wrongBodies = 0
    /// Whether queues, pending entries and the retry set drained before the deadline.
    public var settled = false
    /// Wall time of the scenario, start-up to accounting.
    public var duration: Duration = .zero
    /// Examples of lost or unexpectedly dead-lettered deliveries, for the operator to look up.
    public var samples: [String] = []
    /// Distinct `X-Chaos-Generation` header values (from routes.yaml) the receivers saw.
    public var generationsSeen = 0
    /// How often the fault did each thing (`kills`, `restarts`, …), for the scenario's checks.
    public var faultCounts: [String: Int] = [:]
    /// What the fault did and saw, and remarks on the accounting.
    public var notes: [String] = []
    /// Why the scenario failed; empty when it passed.
    public var failures: [String] = []

    /// `duplicates / delivered`.
    public var duplicateRatio: Double { delivered == 0 ? 0 : Double(duplicates) / Double(delivered) }

    /// No loss and every expectation of the scenario met.
    public var passed: Bool { failures.isEmpty }
}
