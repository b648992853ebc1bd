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
        let entries = selection.selected(from: try await context.run { try await context.partitions().deadLetters() })
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
        var clipped = false
        for entry in entries {
            let target = entry.delivery.target.tenant.isEmpty ? "-" : entry.delivery.target.description
            clipped = clipped || entry.lastIsCut()
            table.add([entry.id, entry.delivery.event.webhookID, target, entry.reason.rawValue, entry.last() ?? "-", String(entry.attempts), Timestamps.iso(entry.deadLetteredAtMillis)])
        }
        print(table.render())
        if clipped { print("(errors cut short in LAST; --json gives them whole)") }
    }
}
