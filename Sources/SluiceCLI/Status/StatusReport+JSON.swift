import Foundation
import SluiceRedis

extension StatusReport {
    /// `sluice status --json`: one object (one line, so `--watch` gives JSON Lines).
    var json: String {
        let circuitObjects: [[String: Any]] = circuits.map {
            [
                "endpoint": $0.endpoint.description, "consumer": $0.consumer,
                "state": $0.probeAtMillis > atMillis ? "open" : "probing", "probe_at": Timestamps.iso($0.probeAtMillis),
            ]
        }
        let endpointObjects: [[String: Any]] = endpoints.map { endpoint in
            var object: [String: Any] = [
                "endpoint": endpoint.endpoint.description, "state": endpoint.condition.name, "workers": endpoint.workers,
                "configured": endpoint.configured, "reason": NSNull(), "probe_at": NSNull(), "until": NSNull(),
            ]
            switch endpoint.condition {
            case .circuitOpen(let probeAt): object["probe_at"] = Timestamps.iso(probeAt)
            case .halfOpen(let since): object["probe_at"] = Timestamps.iso(since)
            case .paused(let reason, let until):
                object["reason"] = reason
                object["until"] = Timestamps.iso(until)
            case .ok: break
            }
            return object
        }
        return JSONOutput.line([
            "at": Timestamps.iso(atMillis),
            "ingress": ["length": queues.ingressLength, "pending": queues.ingressPending],
            "deliveries": ["length": queues.deliveriesLength, "pending": queues.deliveriesPending],
            "retry_backlog": queues.retryBacklog, "waiting": queues.waiting, "dlq_size": queues.deadLetters,
            "circuits": circuitObjects, "endpoints": endpointObjects,
        ])
    }
}
