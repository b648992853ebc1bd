import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis

/// `sluice dlq replay`: put dead letters back on the delivery stream with a fresh schedule.
struct DLQReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-enqueue dead-lettered deliveries with a fresh attempt schedule.",
        discussion: "Idempotent per dead-letter id. A no_route entry is routed again with the current routes file; one that still matches nothing stays in the DLQ."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: DeadLetterSelection

    @Flag(help: "Print one JSON object: selected, replayed, still_no_route, and the ids replayed and left.")
    var json = false

    func validate() throws {
        try selection.requireChoice()
    }

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        let matcher = RouteMatcher(config: context.routes)
        let entries = selection.selected(from: try await context.run { try await context.partitions().deadLetters() })
        var replayed: [String] = []
        var unroutable: [String] = []
        var notReplayable: [String] = []
        // Endpoints the routes file no longer names: a worker with the same routes dead-letters
        // their deliveries again at once (`endpoint_removed`).
        var removedTargets: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let deliveries: [Delivery]
            switch entry.replay(matcher: matcher, nowMillis: Date().unixMillis) {
            case .notReplayable:
                notReplayable.append(entry.id)
                continue
            case .stillNoRoute:
                unroutable.append(entry.id)
                continue
            case .deliveries(let made):
                deliveries = made
            }
            for delivery in deliveries where context.routes.tenants[delivery.target.tenant]?.endpoints[delivery.target.endpoint] == nil {
                removedTargets.insert(delivery.target.description)
            }
            let window = entry.replayArchiveWindow(recoveryWindow: context.routes.worker.recoveryWindow)
            if try await context.run({ try await context.stores.replay(deadLetterID: entry.id, with: deliveries, archiveWindow: window) }) {
                replayed.append(entry.id)
            }
            if entries.count >= 100, (index + 1) % 100 == 0, isatty(STDERR_FILENO) != 0 {
                FileHandle.standardError.write(Data("\rreplayed \(replayed.count)/\(entries.count)…".utf8))
            }
        }
        if entries.count >= 100, isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        if !removedTargets.isEmpty {
            FileHandle.standardError.write(Data(
                "warning: some replayed deliveries go to endpoints \(global.configPath) does not name (\(removedTargets.sorted().joined(separator: ", "))): workers with these routes dead-letter them again as endpoint_removed; add the endpoints back first, or purge those dead letters\n".utf8))
        }
        if json {
            // Selected but neither replayed nor unroutable: another replay or purge took them first.
            print(JSONOutput.line([
                "selected": entries.count, "replayed": replayed.count, "still_no_route": unroutable.count,
                "replayed_ids": replayed, "still_no_route_ids": unroutable,
                "not_replayable": notReplayable.count, "not_replayable_ids": notReplayable,
            ]))
            return
        }
        print(
            "replayed \(replayed.count) of \(entries.count) selected dead letter(s)"
                + (unroutable.isEmpty ? "" : "; \(unroutable.count) still match no route and stay in the DLQ")
                + (notReplayable.isEmpty
                    ? "" : "; \(notReplayable.count) undecodable, which cannot be replayed (inspect them with dlq list --json, then purge them)"))
    }
}
