import ArgumentParser
import Foundation
import SluiceRedis

/// `sluice dlq list`: dead letters, oldest first.
struct DLQListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List dead-lettered deliveries.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: DeadLetterSelection

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        let entries = try await context.run { try await context.partitions().deadLetters() }.filter(selection.matches)
        if json {
            for entry in entries { print(DeadLetterJSON.line(entry)) }
            return
        }
        if entries.isEmpty {
            print("no dead letters")
            return
        }
        var table = TextTable(columns: ["ID", "EVENT", "TARGET", "REASON", "LAST", "ATTEMPTS", "DEAD-LETTERED"])
        table.tones["REASON"] = { _ in .bad }
        for entry in entries {
            let target = entry.delivery.target.tenant.isEmpty ? "-" : entry.delivery.target.description
            let last = entry.lastStatus.map(String.init) ?? entry.lastError.map { String($0.prefix(40)) } ?? "-"
            table.add([entry.id, entry.delivery.event.webhookID, target, entry.reason.rawValue, last, String(entry.attempts), Timestamps.iso(entry.deadLetteredAtMillis)])
        }
        print(table.render())
    }
}
