import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis

/// `sluice events show ID`: the event and every attempt of each of its deliveries.
struct EventsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an event and the attempt history of each delivery.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The event's webhook-id.")
    var id: String

    @Option(help: "The source the event came from (default: looked up under every source of --config; needed when several have the id).")
    var source: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        // Logs are per source: two sources may send the same webhook-id.
        let sources = source.map { [$0] } ?? context.routes.sources.keys.sorted()
        var found: [(source: String, record: EventRecord?, attempts: [LoggedAttempt])] = []
        let stores = try await context.partitions()
        for name in sources {
            let (record, attempts) = try await context.run {
                try await stores.eventLog(source: name, webhookID: id, partitions: context.routes.redisPartitions)
            }
            if record != nil || !attempts.isEmpty { found.append((name, record, attempts)) }
        }
        guard let (_, record, attempts) = found.first else {
            // A source removed from the file may still have logs, so its name is only refused
            // once nothing was found under it.
            if let source, context.routes.sources[source] == nil {
                throw ValidationError(
                    "--source: no source named '\(source)' in \(global.configPath) (known: \(context.routes.sources.keys.sorted().joined(separator: ", "))), and no event \(id) under it")
            }
            FileHandle.standardError.write(Data("sluice: no event \(id) (unknown, not routed yet, or older than worker.attempt_log_retention)\n".utf8))
            throw ExitCode(1)
        }
        guard found.count == 1 else {
            FileHandle.standardError.write(Data(
                "sluice: webhook-id \(id) exists under \(found.count) sources (\(found.map(\.source).joined(separator: ", "))); pick one with --source\n".utf8))
            throw ExitCode(2)
        }
        // A `no_route` event replayed once routes sent it somewhere: its record still says where the
        // router sent it (nowhere); the replay's targets are those its attempts name.
        let replayedTo = record.map { $0.targets.isEmpty } == true
            ? Array(Set(attempts.map(\.target).filter { !$0.tenant.isEmpty }).map(\.description)).sorted() : []
        if json {
            var object: [String: Any] = ["id": id]
            if let record {
                object["source"] = record.source
                object["channel"] = record.channel ?? NSNull()
                object["type"] = record.eventType
                object["received_at"] = Timestamps.iso(record.receivedAtMillis)
                object["routed_at"] = Timestamps.iso(record.routedAtMillis)
                object["targets"] = record.targets.map(\.description)
                if !replayedTo.isEmpty { object["replayed_to"] = replayedTo }
            }
            object["attempts"] = attempts.map { attempt -> [String: Any] in
                var line: [String: Any] = [
                    "target": attempt.target.description, "attempt": attempt.record.attempt,
                    "at": Timestamps.iso(attempt.record.atMillis), "duration_ms": attempt.record.durationMillis,
                    "outcome": attempt.record.outcome.rawValue,
                ]
                if let status = attempt.record.status { line["status"] = status }
                if let error = attempt.record.error { line["error"] = error }
                if let reason = attempt.record.reason { line["reason"] = reason.rawValue }
                if let headers = attempt.record.responseHeaders { line["headers"] = headers }
                return line
            }
            print(JSONOutput.pretty(object))
            return
        }
        if let record {
            print("event \(id)")
            print("  source \(record.source)\(record.channel.map { " / channel \($0)" } ?? ""), type \(record.eventType.isEmpty ? "(none)" : record.eventType)")
            print("  received \(Timestamps.iso(record.receivedAtMillis)), routed \(Timestamps.iso(record.routedAtMillis))")
            if record.targets.isEmpty, !replayedTo.isEmpty {
                print("  targets: none when routed (no_route); replayed to \(replayedTo.joined(separator: ", "))")
            } else {
                print("  targets: \(record.targets.isEmpty ? "none (no_route)" : record.targets.map(\.description).joined(separator: ", "))")
            }
        } else {
            print("event \(id) (routing record expired)")
        }
        guard !attempts.isEmpty else {
            print("  no attempts yet")
            return
        }
        var table = TextTable(columns: ["TARGET", "#", "AT", "STATUS", "DURATION", "OUTCOME", "ERROR"])
        table.tones["OUTCOME"] = { Terminal.tone(forOutcome: String($0.prefix { $0 != " " })) }
        for attempt in attempts {
            let r = attempt.record
            let outcome = r.reason.map { "\(r.outcome.rawValue) (\($0.rawValue))" } ?? r.outcome.rawValue
            table.add([attempt.target.description, String(r.attempt), Timestamps.iso(r.atMillis), r.status.map(String.init) ?? "-", "\(r.durationMillis) ms", outcome, r.error ?? ""])
        }
        print(table.render())
    }
}
