import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis

/// `sluice partitions prune`: lowers the recorded count to `redis.partitions` once the
/// partitions above it hold nothing.
struct PartitionsPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Lower the recorded partition count to redis.partitions, if every partition above it is empty.",
        discussion: """
            Refuses (exit 1) while any partition above redis.partitions still holds ingress entries, \
            deliveries, retries, waiting deliveries or dead letters (replay or purge those first), or \
            archived events within worker.recovery_window (kept for sluice replay; it says when they \
            expire). An edge that still spreads events wider raises the record again within a second, \
            so pruning early delays nothing and loses nothing. Once pruned, those partitions' event \
            index is deleted: sluice events list, events show and the console no longer find the \
            events routed there.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        let stores = try await context.partitions()
        let target = context.routes.redisPartitions
        let recorded = try await context.run { try await stores.record.read() }
        guard recorded > target else {
            print("nothing to prune: the recorded count is \(recorded), redis.partitions is \(target)")
            return
        }
        var busy: [String] = []
        let window = context.routes.worker.recoveryWindow
        for store in stores.all where store.keyspace.partition >= target {
            let status = try await context.run { try await store.workLeftForPrune() }
            if !status.isEmpty {
                busy.append("partition \(store.keyspace.partition): \(status.ingressLength) ingress, \(status.deliveriesLength) deliveries, \(status.retryBacklog) retries, \(status.waiting) waiting, \(status.deadLetters) dead letters")
            }
            // Nothing routes there any more, so nothing else trims its archive: trimmed here to
            // the window, what is left is what `sluice replay` may still need.
            let (archived, expiresAtMillis) = try await context.run {
                try await store.trimArchiveForPrune(window: window, nowMillis: Date().unixMillis)
            }
            if archived > 0 {
                let until = expiresAtMillis.map(Timestamps.iso) ?? "later"
                busy.append("partition \(store.keyspace.partition): \(archived) archived events kept for sluice replay (worker.recovery_window) until \(until)")
            }
        }
        guard busy.isEmpty else {
            FileHandle.standardError.write(Data("sluice: not pruned; these partitions still hold work (workers drain them; replay or purge dead letters):\n  \(busy.joined(separator: "\n  "))\n".utf8))
            throw ExitCode(1)
        }
        try await context.run { try await stores.record.lower(to: target) }
        for store in stores.all where store.keyspace.partition >= target {
            try await context.run { try await store.dropEventIndexForPrune() }
        }
        print("pruned: the recorded partition count is now \(target) (was \(recorded)); events routed in the pruned partitions are no longer searched")
    }
}
