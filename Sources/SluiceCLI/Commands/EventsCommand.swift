import ArgumentParser

/// `sluice events …`: what happened to an event.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Inspect events and their delivery attempts.",
        subcommands: [EventsShowCommand.self, EventsListCommand.self]
    )
}
