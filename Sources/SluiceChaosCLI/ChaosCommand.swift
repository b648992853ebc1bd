import ArgumentParser

/// `sluice-chaos`: drives real redis-server, `sluice edge` and `sluice worker` processes through
/// named faults and accounts for every accepted event.
@main
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-chaos",
        abstract: "Fault injection for Sluice: prove that no accepted event is lost.",
        subcommands: [ListCommand.self, RunCommand.self]
    )
}
