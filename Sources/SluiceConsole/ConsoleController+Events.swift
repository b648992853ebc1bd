import Foundation
import Hummingbird
import SluiceCore
import SluiceRedis

// The Events pages: the search over the event index (`worker.event_index`) and one event's page.
extension ConsoleController {
    /// Events, newest first, filtered by webhook-id (which opens its page), source, tenant,
    /// endpoint, type, outcome and time window; one bounded index read per page
    /// (`WorkerStores.searchEvents`).
    ///
    /// `missing` is a webhook-id just looked up and not found: the page says so, with the form.
    func events(_ request: Request, _ context: ConsoleRequestContext, missing: String? = nil) async throws -> Response {
        let routes = self.routes
        let parameters = Self.query(request)
        func value(_ name: String) -> String { parameters[name].map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        let id = value("id")
        if !id.isEmpty && missing == nil { return try await event(id, request, context) }
        let (source, tenant, endpoint, type, outcome, since, until) = (
            value("source"), value("tenant"), value("endpoint"), value("type"), value("outcome"), value("since"), value("until")
        )
        var values: [String: Any] = [
            "id": "", "type": type, "since": since, "until": until,
            "sources": [["value": "", "label": "any", "selected": source.isEmpty]]
                + routes.sources.keys.sorted().map { ["value": $0, "label": $0, "selected": $0 == source] },
            "manySources": routes.sources.count > 1,
            "tenants": [["value": "", "label": "any", "selected": tenant.isEmpty]]
                + Set(routes.allEndpoints.map(\.ref.tenant)).sorted().map { ["value": $0, "label": $0, "selected": $0 == tenant] },
            "endpoints": [["value": "", "label": "any", "selected": endpoint.isEmpty]]
                + routes.allEndpoints.map(\.ref.description).map { ["value": $0, "label": $0, "selected": $0 == endpoint] },
            "outcomes": [["value": "", "label": "any", "selected": outcome.isEmpty]]
                + DeliveryStanding.allCases.map { ["value": $0.rawValue, "label": Self.words($0), "selected": $0.rawValue == outcome] },
        ]
        func page(_ status: HTTPResponse.Status = .ok) -> Response {
            html(pages.render("events", values, chrome: chrome("Events", request)), status: status)
        }
        if let missing {
            values["id"] = missing
            values["notFound"] = true
            return page(.notFound)
        }
        // Off now, the index may still hold what was routed before: searched all the same.
        if routes.worker.eventIndex == 0 { values["indexOff"] = true }
        // What the form says, checked: a wrong value is answered, not ignored.
        let now = Date().unixMillis
        var query = EventQuery(source: source.isEmpty ? nil : source, tenant: tenant.isEmpty ? nil : tenant, eventType: type.isEmpty ? nil : type)
        var problems: [String] = []
        if !endpoint.isEmpty {
            if let ref = EndpointRef(parsing: endpoint) { query.endpoint = ref } else { problems.append("Endpoint: give it as tenant/endpoint.") }
        }
        if !outcome.isEmpty {
            if let standing = DeliveryStanding(rawValue: outcome) { query.outcome = standing } else { problems.append("Outcome: choose one from the list.") }
        }
        for (label, text, keyPath) in [("Since", since, \EventQuery.sinceMillis), ("Until", until, \EventQuery.untilMillis)] where !text.isEmpty {
            if let millis = OperatorTime.millis(text, nowMillis: now) {
                query[keyPath: keyPath] = millis
            } else {
                problems.append("\(label): give an ISO 8601 time (2026-12-05T09:30:00Z) or a duration ago (90m, 2h, 1d).")
            }
        }
        let cursorText = value("after")
        let cursor = EventCursor(parsing: cursorText)
        if !cursorText.isEmpty && cursor == nil { problems.append("The page link is damaged: start the search again.") }
        guard problems.isEmpty else {
            values["problems"] = problems
            return page(.badRequest)
        }
        let found = try await partitions().searchEvents(query, after: cursor, limit: pageSize)
        values["hits"] = found.hits.map { hit -> [String: Any] in
            let summary = hit.summary
            return [
                "id": hit.event.webhookID, "href": Self.eventHref(hit.event.webhookID), "source": hit.event.source,
                "type": hit.event.eventType, "at": Self.iso(hit.event.routedAtMillis),
                "summary": Self.words(summary), "summaryClass": summary.rawValue,
                "standings": hit.standings.map { ["target": $0.target.description, "standing": Self.words($0.standing), "class": $0.standing.rawValue] },
            ]
        }
        values["shown"] = found.hits.count
        values["scanned"] = found.scanned
        values["filtered"] = query.narrows || query.sinceMillis != nil || query.untilMillis != nil
        if found.stoppedAtScanLimit { values["scanLimit"] = true }
        if let start = found.indexStartsAtMillis { values["indexStart"] = Self.iso(start) }
        values["indexSize"] = routes.worker.eventIndex.formatted()
        if let next = found.next {
            var components = URLComponents()
            components.path = "/events"
            // The window as absolute times: "2h" would mean another window on the next page.
            let window = [("since", query.sinceMillis), ("until", query.untilMillis)].compactMap { name, millis in
                millis.map { (name, Self.iso($0, milliseconds: true)) }
            }
            components.queryItems = ([("source", source), ("tenant", tenant), ("endpoint", endpoint), ("type", type), ("outcome", outcome)] + window)
                .filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) } + [URLQueryItem(name: "after", value: next.description)]
            values["next"] = components.string
        }
        return page()
    }

    /// A standing as the pages say it.
    static func words(_ standing: DeliveryStanding) -> String {
        switch standing {
        case .pending: "pending"
        case .delivered: "delivered"
        case .retrying: "retrying"
        case .deadLetter: "dead letter"
        case .noRoute: "no route"
        case .expired: "log expired"
        }
    }

    func event(_ id: String, _ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        // One reading of the routes in force for the whole page (each reading takes a lock).
        let routes = self.routes
        let stores = try await partitions()
        for source in routes.sources.keys.sorted() {
            let (record, attempts) = try await stores.eventLog(source: source, webhookID: id, partitions: routes.redisPartitions)
            guard record != nil || !attempts.isEmpty else { continue }
            var values: [String: Any] = [
                "id": id,
                "attempts": attempts.map { logged -> [String: Any] in
                    let record = logged.record
                    return [
                        "at": Self.iso(record.atMillis), "target": logged.target.description, "attempt": record.attempt,
                        "status": record.status.map(String.init) ?? "—", "duration": "\(record.durationMillis) ms",
                        "outcome": record.outcome.rawValue.replacingOccurrences(of: "_", with: " "), "outcomeClass": record.outcome.rawValue,
                        "error": record.error ?? "",
                        "headers": (record.responseHeaders ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n"),
                    ]
                },
            ]
            // The body, when the archive (worker.recovery_window) still keeps it: pretty-printed, at most 64 KiB.
            if let archived = try await stores.archivedEvent(source: source, webhookID: id, partitions: routes.redisPartitions) {
                values["body"] = Self.pretty(archived.event.body, limit: 64 << 10)
                // How the routes in force now treat it — the reasons `sluice routes explain` gives.
                let event = archived.event
                let json = (try? JSONValue(parsing: event.body)) ?? .object([:])
                let match = RouteMatcher(config: routes).match(source: event.source, channel: event.channel, eventType: event.eventType, body: json)
                values["decisions"] = match.explanations.map { explanation -> [String: Any] in
                    let outcome: String
                    switch explanation.outcome {
                    case .matched: outcome = "matched"
                    case .notMatched: outcome = "not matched"
                    case .skipped(let final): outcome = "skipped (after final route \(final))"
                    }
                    return [
                        "route": explanation.route, "outcome": outcome, "matched": explanation.outcome == .matched,
                        "reasons": explanation.reasons.joined(separator: "; "),
                        "targets": explanation.addedTargets.map(\.description).joined(separator: ", "),
                    ]
                }
            } else if let record, record.targets.isEmpty {
                // The archive keeps only routed events; one that matched no route waits whole in
                // the dead letters until it is replayed or purged.
                values["bodyMissing"] =
                    "Not archived: the event matched no route. Its body is in its no_route dead letter (sluice dlq list --reason no_route) until it is replayed or purged."
            } else {
                values["bodyMissing"] = routes.worker.recoveryWindow > .zero
                    ? "Not kept any more: the archive keeps bodies for worker.recovery_window."
                    : "Not kept: the body is kept only with worker.recovery_window set in routes.yaml."
            }
            if let record {
                values["record"] = [
                    "source": record.source, "channel": record.channel ?? "—", "type": record.eventType,
                    "receivedAt": Self.iso(record.receivedAtMillis), "routedAt": Self.iso(record.routedAtMillis),
                    "targets": record.targets.isEmpty ? "none (no route)" : record.targets.map(\.description).joined(separator: ", "),
                ]
            }
            return html(pages.render("event", values, chrome: chrome("Event \(id)", request)))
        }
        return try await events(request, context, missing: id)
    }
}
