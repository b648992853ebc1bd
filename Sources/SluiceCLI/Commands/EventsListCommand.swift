import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis

/// `sluice events list`: recently routed events, newest first, found through the event index
/// (`worker.event_index`) by source, tenant, endpoint, type, outcome and time.
struct EventsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List recently routed events, newest first, by tenant, endpoint, type, outcome and time.",
        discussion: """
            Reads the event index that worker.event_index keeps (the last 100,000 routed events per \
            partition by default). A page reads at most 2,000 index entries: when the filters are \
            narrow, it may stop before it is full, and says where the next page starts (--after).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only events from this source.")
    var source: String?

    @Option(help: "Only events routed to this tenant.")
    var tenant: String?

    @Option(help: "Only events routed to this endpoint, TENANT/ENDPOINT.")
    var endpoint: String?

    @Option(help: "Only events of this type; a trailing * matches a prefix (batch.*).")
    var type: String?

    @Option(help: "Only events with a delivery that is \(DeliveryStanding.allCases.map(\.rawValue).joined(separator: ", ")).")
    var outcome: String?

    @Option(help: "Routed since: an ISO 8601 time (2026-12-05T09:30:00Z) or a duration ago (90m, 2h, 1d).")
    var since: String?

    @Option(help: "Routed until (same notation).")
    var until: String?

    @Option(help: "Events per page (1–1000).")
    var limit = 50

    @Option(help: "Go on after this point (printed at the end of the previous page).")
    var after: String?

    @Flag(help: "One JSON object per event, then one with the next page's --after.")
    var json = false

    func validate() throws {
        if let endpoint, EndpointRef(parsing: endpoint) == nil { throw ValidationError("--endpoint: expected TENANT/ENDPOINT, not '\(endpoint)'") }
        if let outcome, DeliveryStanding(rawValue: outcome) == nil {
            throw ValidationError("--outcome: expected one of \(DeliveryStanding.allCases.map(\.rawValue).joined(separator: ", ")), not '\(outcome)'")
        }
        if let since { _ = try ReplayCommand.time(since, flag: "--since") }
        if let until { _ = try ReplayCommand.time(until, flag: "--until") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit: expected 1 to 1000, not \(limit)") }
        if let after, EventCursor(parsing: after) == nil { throw ValidationError("--after: expected the value a previous page printed (<id>@<partition>), not '\(after)'") }
    }

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        if context.routes.worker.eventIndex == 0 {
            FileHandle.standardError.write(Data("sluice: note: \(global.configPath) turns the event index off (worker.event_index: 0); only events indexed before that are found\n".utf8))
        }
        let query = EventQuery(
            source: source, tenant: tenant, endpoint: endpoint.flatMap(EndpointRef.init(parsing:)), eventType: type,
            outcome: outcome.flatMap(DeliveryStanding.init(rawValue:)),
            sinceMillis: try since.map { try ReplayCommand.time($0, flag: "--since") }, untilMillis: try until.map { try ReplayCommand.time($0, flag: "--until") })
        let stores = try await context.partitions()
        let page = try await context.run {
            try await stores.searchEvents(query, after: after.flatMap(EventCursor.init(parsing:)), limit: limit)
        }
        if json {
            for hit in page.hits {
                let object: [String: Any] = [
                    "id": hit.event.webhookID, "source": hit.event.source, "type": hit.event.eventType,
                    "routed_at": Timestamps.iso(hit.event.routedAtMillis), "outcome": hit.summary.rawValue,
                    "deliveries": hit.standings.map { ["target": $0.target.description, "outcome": $0.standing.rawValue] },
                ]
                print(JSONOutput.line(object))
            }
            print(JSONOutput.line([
                "next": page.next?.description ?? NSNull(), "scanned": page.scanned, "stopped_at_scan_limit": page.stoppedAtScanLimit,
                "index_starts_at": page.indexStartsAtMillis.map(Timestamps.iso) ?? NSNull(),
            ]))
            return
        }
        if page.hits.isEmpty {
            print(page.indexStartsAtMillis == nil ? "no events indexed" : "no events match")
        } else {
            var table = TextTable(columns: ["ROUTED", "EVENT", "TYPE", "OUTCOME", "DELIVERIES"])
            table.tones["OUTCOME"] = { Terminal.tone(forOutcome: $0) }
            for hit in page.hits {
                let deliveries = hit.standings.isEmpty ? "-" : hit.standings.map { "\($0.target) \($0.standing.rawValue)" }.joined(separator: ", ")
                table.add([Timestamps.iso(hit.event.routedAtMillis), hit.event.webhookID, hit.event.eventType, hit.summary.rawValue, deliveries])
            }
            print(table.render())
        }
        if page.stoppedAtScanLimit { print("read \(page.scanned) indexed events without filling the page") }
        if let next = page.next { print("next page: --after \(next)") }
        if let start = page.indexStartsAtMillis, let since = query.sinceMillis, start > since {
            print("note: the index starts at \(Timestamps.iso(start)); events routed before that are no longer indexed (worker.event_index)")
        }
    }
}
