import ArgumentParser
import SluiceRedis

/// `sluice dlq purge`: delete dead letters for good.
struct DLQPurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "purge", abstract: "Delete dead-lettered deliveries.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: DeadLetterSelection

    @Flag(help: "Print one JSON object: selected, purged.")
    var json = false

    func validate() throws {
        try selection.requireChoice()
    }

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        let ids = selection.selected(from: try await context.run { try await context.partitions().deadLetters() }).map(\.id)
        let purged = ids.isEmpty ? 0 : try await context.run { try await context.stores.purge(deadLetterIDs: ids) }
        // `selected` and `purged` differ when another operator removed some in between.
        print(json ? JSONOutput.line(["selected": ids.count, "purged": purged]) : "purged \(purged) dead letter(s)")
    }
}
