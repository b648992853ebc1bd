import SluiceCore
import SluiceRedis

/// Checks, per accepted event and per endpoint, that it was delivered at least once or sits in
/// the DLQ with a reason the scenario expects; everything else is lost.
struct Accountant {
    let scenario: Scenario
    let sent: SenderLedger
    let received: ReceiverLedger
    let deadLetters: [DeadLetterEntry]

    func report() -> ScenarioReport {
        var report = ScenarioReport(scenario: scenario.name)
        let events = sent.all
        let endpoints = scenario.endpoints
        var dead: [EndpointRef: [String: DeadLetterReason]] = [:]
        for entry in deadLetters {
            dead[entry.delivery.target, default: [:]][entry.delivery.event.webhookID] = entry.reason
        }
        report.sent = events.count
        report.fanOut = endpoints.count
        var delays: [Duration] = []
        var byEndpoint: [EndpointRef: (delivered: Int, duplicates: Int, dead: Int)] = [:]
        var deliveredAndDead = 0
        for event in events {
            report.refusals += event.refusals
            report.unanswered += event.transportFailures
            if event.duplicateAfterRefusalsOnly { report.halfWritten += 1 }
            guard let acceptedAt = event.acceptedAt else {
                if event.rejectedStatus != nil { report.rejected += 1 } else { report.unacknowledged += 1 }
                continue
            }
            report.accepted += 1
            for endpoint in endpoints {
                report.expected += 1
                let deliveries = received.deliveries(of: event.id, to: endpoint.ref)
                let reason = dead[endpoint.ref]?[event.id]
                if let first = deliveries.first {
                    report.delivered += 1
                    report.duplicates += deliveries.count - 1
                    byEndpoint[endpoint.ref, default: (0, 0, 0)].delivered += 1
                    byEndpoint[endpoint.ref, default: (0, 0, 0)].duplicates += deliveries.count - 1
                    // The first delivery can precede the sender's 202 when that answer was lost and retried.
                    delays.append(max(.zero, first - acceptedAt))
                    if reason != nil { deliveredAndDead += 1 }
                } else if let reason {
                    report.deadLettered += 1
                    byEndpoint[endpoint.ref, default: (0, 0, 0)].dead += 1
                    if reason != endpoint.expectedDeadLetter {
                        report.failures.append("unexpected dead letter")
                        report.samples.append("\(event.id) → \(endpoint.ref): dead-lettered '\(reason.rawValue)' (expected \(endpoint.expectedDeadLetter?.rawValue ?? "a delivery"))")
                    }
                } else {
                    report.lost += 1
                    report.samples.append("\(event.id) → \(endpoint.ref): accepted, never delivered, not in the DLQ")
                }
            }
        }
        let knownIDs = Set(events.map(\.id))
        let strays = deadLetters.filter { !knownIDs.contains($0.delivery.event.webhookID) || $0.reason == .noRoute }
        if !strays.isEmpty {
            report.failures.append("dead letters the harness cannot explain")
            report.samples += strays.prefix(3).map { "dead letter \($0.id): \($0.delivery.event.webhookID) \($0.reason.rawValue)" }
        }
        if deliveredAndDead > 0 {
            report.notes.append("\(deliveredAndDead) deliveries reached the receiver but the gateway saw only failures (receiver answered after the timeout) and dead-lettered them too")
        }
        report.perEndpoint = endpoints.map { endpoint in
            let counts = byEndpoint[endpoint.ref] ?? (0, 0, 0)
            return "\(endpoint.ref) (\(endpoint.behavior.label)): \(counts.delivered) delivered, \(counts.duplicates) duplicates, \(counts.dead) dead-lettered"
        }
        delays.sort()
        report.p50Delay = Self.percentile(delays, 0.50)
        report.p99Delay = Self.percentile(delays, 0.99)
        report.badSignatures = received.badSignatures
        report.generationsSeen = received.generations.count
        if report.generationsSeen > 1 { report.notes.append("deliveries carried \(report.generationsSeen) generations of the endpoints' headers") }
        report.wrongBodies = received.wrongBodies + received.unknownIDs
        report.samples = Array(report.samples.prefix(5))
        return report
    }

    static func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
