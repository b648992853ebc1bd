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

    func validate() throws {
        if selection.isEmpty { throw ValidationError("say which dead letters: --id ID…, --tenant, --endpoint, --reason, or --all") }
    }

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        let matcher = RouteMatcher(config: context.routes)
        let entries = try await context.run { try await context.store.deadLetters() }.filter(selection.matches)
        var replayed = 0
        var unroutable = 0
        for (index, entry) in entries.enumerated() {
            let deliveries: [Delivery]
            if entry.reason == .noRoute {
                let event = entry.delivery.event
                let body = (try? JSONValue(parsing: event.body)) ?? .object([:])
                let targets = matcher.match(source: event.source, channel: event.channel, eventType: event.eventType, body: body).targets
                deliveries = targets.map { Delivery(ingressID: entry.delivery.ingressID, event: event, target: $0) }
            } else {
                deliveries = [entry.delivery.restarted()]
            }
            if deliveries.isEmpty {
                unroutable += 1
                continue
            }
            if try await context.run({ try await context.store.replay(deadLetterID: entry.id, with: deliveries) }) {
                replayed += 1
            }
            if entries.count >= 100, (index + 1) % 100 == 0, isatty(STDERR_FILENO) != 0 {
                FileHandle.standardError.write(Data("\rreplayed \(replayed)/\(entries.count)…".utf8))
            }
        }
        if entries.count >= 100, isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        print("replayed \(replayed) of \(entries.count) selected dead letter(s)" + (unroutable > 0 ? "; \(unroutable) still match no route and stay in the DLQ" : ""))
    }
}
