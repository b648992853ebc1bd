import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis

/// `sluice replay --endpoint T/E --since …`: sends every delivery to an endpoint since a time
/// again, delivered or not, from the archive that `worker.recovery_window` keeps.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send every delivery to an endpoint since a time again, delivered or not (needs worker.recovery_window).",
        discussion: """
            For a tenant who lost data: each event routed to the endpoint in the range is put back on the \
            deliveries stream with a fresh schedule and its webhook-id unchanged, whatever happened to it \
            before. Only events within worker.recovery_window are kept; a --since before the oldest kept \
            event is recovered from that event on, and the output says so.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The endpoint, TENANT/ENDPOINT.")
    var endpoint: String

    @Option(help: "From when: an ISO 8601 time (2026-12-05T09:30:00Z) or a duration ago (90m, 2h, 1d).")
    var since: String

    @Option(help: "Until when (same notation; default: now).")
    var until: String?

    @Flag(help: "Count what would be sent, send nothing.")
    var dryRun = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard EndpointRef(parsing: endpoint) != nil else { throw ValidationError("--endpoint: expected TENANT/ENDPOINT, not '\(endpoint)'") }
        let from = try Self.time(since, flag: "--since")
        if let until, try Self.time(until, flag: "--until") < from {
            // An empty window would read as "nothing was sent to the endpoint".
            throw ValidationError("--until (\(until)) is before --since (\(since)): the window is empty")
        }
    }

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        guard let ref = EndpointRef(parsing: endpoint) else { throw ExitCode(2) }
        if context.routes.endpoint(ref) == nil {
            FileHandle.standardError.write(Data("sluice: warning: \(ref) is not in \(global.configPath); recovering its deliveries anyway\n".utf8))
        }
        let from = try Self.time(since, flag: "--since")
        let to = try until.map { try Self.time($0, flag: "--until") }
        // Without --until the window is open-ended (read to the archive's end, by Redis's clock,
        // not this machine's); reported as the time the command started.
        let startedMillis = Date().unixMillis
        let stores = try await context.partitions()
        let recovery = try await context.run {
            try await stores.recover(endpoint: ref, sinceMillis: from, untilMillis: to, dryRun: dryRun)
        }
        let truncated = recovery.archiveStartsAtMillis.map { $0 > from } ?? true
        if json {
            var object: [String: Any] = [
                "endpoint": ref.description, "since": Timestamps.iso(from), "scanned": recovery.scanned, "found": recovery.found,
                "enqueued": recovery.enqueued, "dry_run": dryRun,
                "archive_starts_at": recovery.archiveStartsAtMillis.map(Timestamps.iso) ?? NSNull(),
            ]
            object["until"] = Timestamps.iso(to ?? startedMillis)
            print(JSONOutput.line(object))
            return
        }
        if recovery.archiveStartsAtMillis == nil {
            print("the archive is empty: nothing to recover (is worker.recovery_window set in routes.yaml?)")
            return
        }
        let verb = dryRun ? "would send" : "sent"
        let noun = recovery.found == 1 ? "delivery" : "deliveries"
        print("\(ref): \(recovery.found) \(noun) since \(Timestamps.iso(from)) among \(recovery.scanned) archived events; \(verb) \(dryRun ? recovery.found : recovery.enqueued) again")
        if truncated, let start = recovery.archiveStartsAtMillis {
            // Older ones were trimmed by worker.recovery_window, or routed before it was set.
            print("note: the archive starts at \(Timestamps.iso(start)); deliveries routed before that are not in it (worker.recovery_window)")
        }
    }

    /// Unix ms of an ISO 8601 time or of now minus a duration.
    static func time(_ text: String, flag: String) throws -> Int64 {
        if let millis = OperatorTime.millis(text, nowMillis: Date().unixMillis) { return millis }
        throw ValidationError("\(flag): expected an ISO 8601 time (2026-12-05T09:30:00Z) or a duration ago (90m, 2h, 1d), not '\(text)'")
    }
}
