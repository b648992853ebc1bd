import SluiceRedis
extension StatusReport {
    /// The tables `sluice status` prints for people.
    func text(configPath: String) -> String {
        var queues = TextTable(columns: ["QUEUE", "LENGTH", "PENDING"])
        queues.tones["LENGTH"] = { $0 == "0" ? .dim : nil }
        queues.add(["ingress", String(self.queues.ingressLength), String(self.queues.ingressPending)])
        queues.add(["deliveries", String(self.queues.deliveriesLength), String(self.queues.deliveriesPending)])
        queues.add(["retry", String(self.queues.retryBacklog), "-"])
        queues.add(["waiting", String(self.queues.waiting), "-"])
        queues.add(["dead letters", String(self.queues.deadLetters), "-"])
        guard !endpoints.isEmpty else { return queues.render() + "\n\nendpoints: none in \(configPath)" }
        var table = TextTable(columns: ["ENDPOINT", "STATE", "DETAIL"])
        table.tones["STATE"] = { state in
            switch state {
            case "ok": .good
            case "circuit open": .bad
            default: .warn
            }
        }
        for endpoint in endpoints {
            var detail = Self.detail(endpoint.condition)
            if !endpoint.workers.isEmpty { detail += (detail.isEmpty ? "" : "; ") + "reported by \(endpoint.workers.joined(separator: ", "))" }
            if !endpoint.configured { detail += (detail.isEmpty ? "" : "; ") + "not in \(configPath)" }
            table.add([endpoint.endpoint.description, Self.label(endpoint.condition), detail.isEmpty ? "-" : detail])
        }
        return queues.render() + "\n\n" + table.render()
    }

    private static func label(_ condition: EndpointState.Condition) -> String {
        switch condition {
        case .circuitOpen: "circuit open"
        case .halfOpen: "half-open (probing)"
        case .paused(let reason, _): "paused (\(reason.replacingOccurrences(of: "_", with: " ")))"
        case .ok: "ok"
        }
    }

    private static func detail(_ condition: EndpointState.Condition) -> String {
        switch condition {
        case .circuitOpen(let probeAt): "deliveries waiting; probe at \(Timestamps.iso(probeAt))"
        case .halfOpen(let since): "cooldown over since \(Timestamps.iso(since)); the next delivery is the probe"
        case .paused(_, let until): "rate_limit bucket empty; deliveries waiting until \(Timestamps.iso(until))"
        case .ok: ""
        }
    }
}
