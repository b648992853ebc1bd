import ArgumentParser

/// Load generators for Sluice's published figures (see `bench/` for the scripts that run them).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-bench",
        abstract: "Load generators for Sluice benchmarks.",
        subcommands: [IngestCommand.self, HTTPCommand.self, ServeCommand.self]
    )
}
