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
            var last = entry.lastStatus.map(String.init) ?? "-"
            if entry.lastStatus == nil, let error = entry.lastError {
                last = Self.clip(error, to: Self.lastWidth)
                clipped = clipped || last != error
            }
            table.add([entry.id, entry.delivery.event.webhookID, target, entry.reason.rawValue, last, String(entry.attempts), Timestamps.iso(entry.deadLetteredAtMillis)])
        }
        print(table.render())
        if clipped { print("(errors cut short in LAST; --json gives them whole)") }
    }

    static let lastWidth = 60

    /// `text` at most `limit` characters, cut at a word where one is near the end, marked with "…"
    /// (a cut in mid-word read as the whole error: `connect: Failed to connect to 127.0.0.1 `).
    static func clip(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        var kept = text.prefix(limit - 1)
        if let space = kept.lastIndex(of: " "), kept.distance(from: kept.startIndex, to: space) >= limit / 2 {
            kept = kept[..<space]
        }
        return kept.trimmingCharacters(in: .whitespaces) + "…"
    }
}
