import Foundation
import SluiceCore
import SluiceTesting

/// The tenants' endpoints: one `Sink` on 127.0.0.1 whose paths behave as the scenario scripts
/// them, and which, like a careful tenant, checks every delivery's signature with the tenant's
/// secret and its body against what was sent before answering 2xx.
struct ChaosReceiver: Sendable {
    let sink: Sink
    let ledger: ReceiverLedger
    let sent: SenderLedger
    let started: ContinuousClock.Instant
    /// The run's id: backlog deliveries carry it.
    let runID: String

    /// Installs a handler for every endpoint of `scenario`.
    func install(_ scenario: Scenario) async throws {
        if let backlog = scenario.backlog {
            let endpoint = backlog.endpoint
            let verifier = WebhookVerifier(hmacSecrets: [try WebhookSecret(parsing: endpoint.secret)], toleranceSeconds: 3600, audience: nil)
            await sink.respond(to: endpoint.path) { request in
                guard let id = verifiedID(request, verifier: verifier) else { return .status(401) }
                guard ChaosBacklog.isBacklog(id, runID: runID), request.body == ChaosBacklog.body(for: id) else {
                    ledger.wrongBody()
                    return .status(400)
                }
                ledger.delivered(id, to: endpoint.ref, at: .now)
                return .ok
            }
        }
        for endpoint in scenario.endpoints {
            let verifier = WebhookVerifier(hmacSecrets: [try WebhookSecret(parsing: endpoint.secret)], toleranceSeconds: 300, audience: nil)
            await sink.respond(to: endpoint.path) { request in
                await answer(request, endpoint: endpoint, verifier: verifier)
            }
        }
    }

    /// The delivery's webhook-id when its signature verifies with the tenant's secret; nil (and
    /// counted as a bad signature) otherwise.
    private func verifiedID(_ request: SinkRequest, verifier: WebhookVerifier) -> String? {
        let id = request.header("webhook-id") ?? ""
        let verdict = verifier.verify(
            id: id, timestamp: request.header("webhook-timestamp") ?? "", signatureHeader: request.header("webhook-signature") ?? "",
            body: request.body, now: Int64(Date().timeIntervalSince1970), keySet: nil, jwksConfigured: false)
        guard case .verified = verdict else {
            ledger.badSignature()
            return nil
        }
        return id
    }

    private func answer(_ request: SinkRequest, endpoint: ChaosEndpoint, verifier: WebhookVerifier) async -> SinkResponse {
        let number = ledger.arrive(at: endpoint.ref)
        // Think time long enough that deliveries are in flight when a worker is killed.
        var delay = Duration.milliseconds(20 + number % 80)
        switch endpoint.behavior {
        case .healthy:
            break
        case .flapping(let down, let up):
            if Self.isDown(at: ContinuousClock.now - started, down: down, up: up) { return .status(503) }
        case .slow(let under, let over):
            delay = number % 2 == 0 ? over : under
        case .throttles(let every, let retryAfter):
            if number % every == 0 { return .status(429, headers: [("retry-after", String(retryAfter))]) }
        case .gone:
            return .status(410)
        case .resets(let every):
            if number % every == 0 { return .reset }
        }
        // The receiver's own work; a delivery counts once it is done and answered 2xx.
        try? await Task.sleep(for: delay)
        guard let id = verifiedID(request, verifier: verifier) else { return .status(401) }
        guard let expected = sent.body(for: id) else {
            ledger.unknownID()
            return .status(400)
        }
        guard expected == request.body else {
            ledger.wrongBody()
            return .status(400)
        }
        ledger.delivered(id, to: endpoint.ref, at: .now)
        if let generation = request.header("x-chaos-generation") { ledger.saw(generation: generation) }
        return .ok
    }

    /// Whether a flapping endpoint is in a down phase `elapsed` after the start. Phase `k` lasts
    /// its nominal length times 0.5…1.5, from a fixed pseudo-random sequence (SplitMix64 of `k`),
    /// so runs are comparable.
    static func isDown(at elapsed: Duration, down: Duration, up: Duration) -> Bool {
        var phaseEnd = Duration.zero
        var phase: UInt64 = 0
        while true {
            let nominal = phase % 2 == 0 ? down : up
            phaseEnd += nominal * (0.5 + unitInterval(phase))
            if elapsed < phaseEnd { return phase % 2 == 0 }
            phase += 1
        }
    }

    private static func unitInterval(_ seed: UInt64) -> Double {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
