import Foundation
import SluiceCore
import SluiceDelivery

/// Sends signed events to the edges the way Gemini does: at least once, retrying with backoff
/// on 5xx and on connection failures until it gets a 2xx (or a 4xx, or its deadline passes).
///
/// Events are spread evenly over the traffic window so that faults hit traffic in flight, and
/// each attempt goes to the next running edge (a killed edge's port simply fails and the retry
/// goes elsewhere, as behind a load balancer).
struct ChaosSender: Sendable {
    let client: HTTPClient
    let cluster: ChaosCluster
    let ledger: SenderLedger
    /// Concurrent senders.
    var concurrency = 16

    // A constant, valid `whsec_` literal (the same one routes.yaml lists): parsing cannot fail.
    private static let sourceSecret = try! WebhookSecret(parsing: ChaosRoutes.sourceSecret)

    /// Makes up `count` events for `scenario` (`skew` from `ChaosSender.skew`).
    static func events(count: Int, runID: String, scenario: Scenario) -> [SentEvent] {
        let types = ["batch.succeeded", "batch.failed", "interaction.completed", "video.generated"]
        return (0..<count).map { index in
            let id = "msg_\(runID)_\(index)"
            let body = #"{"type":"\#(types[index % types.count])","data":{"batch":"batches/\#(id)","n":\#(index)}}"#
            return SentEvent(id: id, body: Array(body.utf8), skewSeconds: skew(index: index, scenario: scenario))
        }
    }

    /// The clock-skew scenario's timestamps: most at the tolerance edge (3 s inside it, both
    /// directions), every tenth well outside it, which the edge must refuse with 401.
    static func skew(index: Int, scenario: Scenario) -> Int64 {
        guard scenario.skewedSender else { return 0 }
        let tolerance = Int64(scenario.toleranceSeconds)
        if index % 10 == 0 { return -(tolerance + 30) }
        return index % 2 == 0 ? tolerance - 3 : -(tolerance - 3)
    }

    /// Sends every event, the i-th not before `start + window * i / count`; gives up on an event
    /// (leaving it unacknowledged) at `giveUpAt`.
    func run(start: ContinuousClock.Instant, window: Duration, giveUpAt: ContinuousClock.Instant) async {
        let total = ledger.count
        await withTaskGroup(of: Void.self) { group in
            // Sender k takes events k, k + concurrency, …: in schedule order, nothing shared.
            for first in 0..<concurrency {
                group.addTask {
                    for position in stride(from: first, to: total, by: concurrency) {
                        try? await ContinuousClock().sleep(until: start + window * (Double(position) / Double(total)))
                        await send(position, giveUpAt: giveUpAt)
                    }
                }
            }
        }
    }

    private func send(_ position: Int, giveUpAt: ContinuousClock.Instant) async {
        let event = ledger.event(at: position)
        let secret = Self.sourceSecret
        var attempt = 0
        while ContinuousClock.now < giveUpAt {
            attempt += 1
            let ports = await cluster.edgePorts()
            guard !ports.isEmpty else {
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            let port = ports[(position + attempt) % ports.count]
            let timestamp = Int64(Date().timeIntervalSince1970) + event.skewSeconds
            let signature = WebhookSigner.signatureHeader(for: SignedContent(id: event.id, timestamp: timestamp, body: event.body), secrets: [secret])
            let request = HTTPRequest(
                url: "http://127.0.0.1:\(port)/webhooks/gemini",
                headers: [
                    HTTPHeader(name: "content-type", value: "application/json"),
                    HTTPHeader(name: "webhook-id", value: event.id),
                    HTTPHeader(name: "webhook-timestamp", value: String(timestamp)),
                    HTTPHeader(name: "webhook-signature", value: signature),
                ],
                body: event.body, timeout: .seconds(10))
            var retryAfter: Duration?
            do {
                let response = try await client.execute(request)
                if (200..<300).contains(response.status) {
                    let now = ContinuousClock.now
                    ledger.update(position) { sent in
                        sent.attempts = attempt
                        sent.acceptedAt = now
                        sent.acceptedStatus = response.status
                    }
                    return
                }
                if (400..<500).contains(response.status) && response.status != 429 {
                    ledger.update(position) { sent in
                        sent.attempts = attempt
                        sent.rejectedStatus = response.status
                    }
                    return
                }
                ledger.update(position) { $0.refusals += 1 }
                retryAfter = response.header("retry-after").flatMap(Int.init).map { .seconds($0) }
            } catch {
                ledger.update(position) { $0.transportFailures += 1 }
            }
            ledger.update(position) { $0.attempts = attempt }
            // Gemini backs off for minutes; compressed here so a run takes seconds. Retry-After is
            // honoured up to the same cap.
            let backoff = min(Duration.milliseconds(100) * (1 << min(attempt - 1, 5)), .seconds(2))
            try? await Task.sleep(for: min(max(backoff, retryAfter ?? .zero), .seconds(2)))
        }
    }
}
