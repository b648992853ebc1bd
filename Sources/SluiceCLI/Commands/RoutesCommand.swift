import ArgumentParser

/// `sluice routes …`: work with a routes file without running anything.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Validate and explain routes files.",
        subcommands: [RoutesCheckCommand.self, RoutesExplainCommand.self]
    )
}
