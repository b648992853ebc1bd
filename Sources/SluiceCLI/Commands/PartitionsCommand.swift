import ArgumentParser

/// `sluice partitions`: what each partition holds, and `prune` to stop reading emptied ones.
struct PartitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partitions",
        abstract: "Show each Redis partition's queues and the recorded partition count; prune emptied partitions.",
        discussion: """
            Workers read every partition below the larger of redis.partitions and the recorded count (the \
            highest count any edge or worker has used). After lowering redis.partitions, the partitions \
            above it drain; once they are empty, `sluice partitions prune` lowers the record so new \
            workers stop reading them.
            """,
        subcommands: [PartitionsShowCommand.self, PartitionsPruneCommand.self],
        defaultSubcommand: PartitionsShowCommand.self
    )
}
