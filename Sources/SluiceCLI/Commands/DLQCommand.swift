import ArgumentParser

/// `sluice dlq …`: inspect, replay and purge dead-lettered deliveries.
struct DLQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect, replay and purge dead-lettered deliveries.",
        subcommands: [DLQListCommand.self, DLQReplayCommand.self, DLQPurgeCommand.self]
    )
}
