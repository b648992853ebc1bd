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
            let status = try await context.run { try await context.store.status() }
            print(render(status))
            guard let watch, watch > 0 else { return }
            try await Task.sleep(for: .milliseconds(Int64(watch * 1000)))
        }
    }

    private func render(_ s: StoreStatus) -> String {
        if json {
            return #"{"ingress":{"length":\#(s.ingressLength),"pending":\#(s.ingressPending)},"deliveries":{"length":\#(s.deliveriesLength),"pending":\#(s.deliveriesPending)},"retry_backlog":\#(s.retryBacklog),"dlq_size":\#(s.deadLetters)}"#
        }
        var table = TextTable(columns: ["QUEUE", "LENGTH", "PENDING"])
        table.tones["LENGTH"] = { $0 == "0" ? .dim : nil }
        table.add(["ingress", String(s.ingressLength), String(s.ingressPending)])
        table.add(["deliveries", String(s.deliveriesLength), String(s.deliveriesPending)])
        table.add(["retry", String(s.retryBacklog), "-"])
        table.add(["dead letters", String(s.deadLetters), "-"])
        return table.render()
    }
}
