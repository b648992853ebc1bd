import ArgumentParser
import Foundation
import SluiceRedis

/// `sluice status`: queue depths, pending work, retry backlog and dead letters.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Queue depths, pending, retry backlog, DLQ size.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Refresh every N seconds until interrupted.")
    var watch: Double?

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        while true {
            let (status, circuits) = try await context.run {
                (try await context.store.status(), try await context.store.openCircuits())
            }
            print(render(status, circuits: Self.current(circuits)))
            guard let watch, watch > 0 else { return }
            try await Task.sleep(for: .milliseconds(Int64(watch * 1000)))
        }
    }

    /// Reports older than this are from workers that died with a circuit open; they are not shown.
    static let staleAfterMillis: Int64 = 5 * 60 * 1000

    static func current(_ circuits: [OpenCircuit]) -> [OpenCircuit] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return circuits.filter { $0.probeAtMillis > now - staleAfterMillis }
    }

    private func render(_ s: StoreStatus, circuits: [OpenCircuit]) -> String {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if json {
            let circuitJSON = circuits.map {
                #"{"endpoint":"\#($0.endpoint)","consumer":"\#($0.consumer.replacingOccurrences(of: "\"", with: ""))","state":"\#($0.probeAtMillis > now ? "open" : "probing")","probe_at":"\#(Timestamps.iso($0.probeAtMillis))"}"#
            }.joined(separator: ",")
            return #"{"ingress":{"length":\#(s.ingressLength),"pending":\#(s.ingressPending)},"deliveries":{"length":\#(s.deliveriesLength),"pending":\#(s.deliveriesPending)},"retry_backlog":\#(s.retryBacklog),"dlq_size":\#(s.deadLetters),"circuits":[\#(circuitJSON)]}"#
        }
        var table = TextTable(columns: ["QUEUE", "LENGTH", "PENDING"])
        table.tones["LENGTH"] = { $0 == "0" ? .dim : nil }
        table.add(["ingress", String(s.ingressLength), String(s.ingressPending)])
        table.add(["deliveries", String(s.deliveriesLength), String(s.deliveriesPending)])
        table.add(["retry", String(s.retryBacklog), "-"])
        table.add(["dead letters", String(s.deadLetters), "-"])
        guard !circuits.isEmpty else { return table.render() + "\n\nendpoints: all circuits closed" }
        var endpoints = TextTable(columns: ["ENDPOINT", "CIRCUIT", "PROBE AT", "WORKER"])
        endpoints.tones["CIRCUIT"] = { $0 == "open" ? .bad : .warn }
        for circuit in circuits {
            endpoints.add([circuit.endpoint.description, circuit.probeAtMillis > now ? "open" : "probing", Timestamps.iso(circuit.probeAtMillis), circuit.consumer])
        }
        return table.render() + "\n\n" + endpoints.render()
    }
}
