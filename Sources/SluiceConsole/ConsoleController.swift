import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceRedis

/// The console's pages and actions (README, "Operator console").
///
/// Every read is bounded in Redis work: the overview is a fixed handful of commands per
/// partition, a dead-letter page one `XRANGE … COUNT` of one partition, an event page a few
/// `GET`s. Every action needs a signed-in session and its CSRF value, and is logged with who did
/// what.
struct ConsoleController: Sendable {
    let stores: WorkerStores
    /// Reloaded with routes.yaml; each page reads the routes in force when it is asked for.
    let routesInForce: ConsoleRoutes
    var routes: RoutesConfig { routesInForce.current }
    let sessions: ConsoleSessions
    let pages: ConsolePages
    let logger: Logger
    /// Dead letters on one page.
    var pageSize = 50
    /// The most dead letters one filtered page reads before it stops and links to the next.
    static let deadLetterScanLimit = 2000

    static let cookie = "sluice-console-session"

    func register(on router: Router<ConsoleRequestContext>) {
        var table = ConsoleRouteTable(router)
        table.get("/") { request, context in try await overview(request, context) }
        table.get("/overview.json") { _, _ in try await overviewJSON() }
        table.get("/dead-letters") { request, context in try await deadLetters(request, context) }
        table.post("/dead-letters/action") { request, context in try await deadLetterAction(request, context) }
        table.get("/events") { request, context in try await events(request, context) }
        table.get("/events/{id}") { request, context in
            // The router hands the segment over as sent: percent-encoded.
            let raw = context.parameters.get("id") ?? ""
            return try await event(raw.removingPercentEncoding ?? raw, request, context)
        }
        table.get("/recover") { request, _ in recoverForm(request) }
        table.post("/recover") { request, context in try await recover(request, context) }
        table.get("/login") { request, _ in login(request, failed: false, status: .ok) }
        table.post("/login") { request, context in try await signIn(request, context) }
        table.post("/logout") { request, context in try await signOut(request, context) }
        table.get("/healthz") { _, _ in Self.respond(.ok, type: "text/plain; charset=utf-8", body: "ok\n") }
        table.get("/readyz") { _, _ in
            do {
                try await stores.store(0).client.ping()
                return Self.respond(.ok, type: "text/plain; charset=utf-8", body: "ready\n")
            } catch {
                return Self.respond(.serviceUnavailable, type: "text/plain; charset=utf-8", body: "redis unreachable: \(error)\n")
            }
        }
        table.get("/assets/console.css") { _, _ in Self.asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        table.get("/assets/console.js") { _, _ in Self.asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8") }
        table.refuseOtherMethods()
    }

    // MARK: - Pages

    private func overview(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let stores = try await partitions()
        let report = try await StatusReport.read(stores: stores, routes: routes)
        let queues = report.queues
        // Each worker's summary of its recent attempts, merged per endpoint (stale ones dropped).
        let fresh = try await stores.store(0).endpointSummaries().filter { $0.atMillis > report.atMillis - 60_000 }
        let activity = Dictionary(grouping: fresh, by: \.endpoint)
        let endpoints = report.endpoints.map { state -> [String: Any] in
            let summaries = activity[state.endpoint.description] ?? []
            let attempts = summaries.map(\.attempts).reduce(0, +)
            let succeeded = summaries.map(\.succeeded).reduce(0, +)
            let latest = summaries.filter { $0.lastError != nil }.max { ($0.lastErrorAtMillis ?? 0) < ($1.lastErrorAtMillis ?? 0) }
            var detail = ""
            switch state.condition {
            case .circuitOpen(let probe): detail = "circuit open until \(Self.iso(probe))"
            case .halfOpen(let since): detail = "probing since \(Self.iso(since))"
            case .paused(let reason, let until): detail = "\(reason.replacingOccurrences(of: "_", with: " ")) until \(Self.iso(until))"
            case .ok: detail = state.configured ? "" : "no longer in routes.yaml"
            }
            if !state.workers.isEmpty { detail += " (reported by \(state.workers.joined(separator: ", ")))" }
            return [
                "name": state.endpoint.description,
                "query": state.endpoint.description.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))) ?? "",
                "state": state.condition.name, "label": Self.label(state.condition), "detail": detail,
                "success": attempts == 0 ? "—" : "\(succeeded * 100 / attempts)% of \(attempts)",
                "latency": attempts == 0 ? "—" : "\(summaries.map(\.p50Millis).max() ?? 0) / \(summaries.map(\.p95Millis).max() ?? 0) ms",
                "inFlight": summaries.map(\.inFlight).reduce(0, +),
                "rate": Self.rate(summaries),
                "lastError": latest.map { "\($0.lastError ?? "") (\(Self.iso($0.lastErrorAtMillis ?? 0)))" } ?? "",
            ]
        }
        // The last hour, one reading a minute, as workers recorded it (empty until they have).
        let history = try await QueueHistory(client: stores.store(0).client, keyspace: stores.store(0).keyspace).samples(count: 60)
        func spark(_ name: String, _ value: (StoreStatus) -> Int) -> String {
            let series = history.map { value($0.status) }
            guard let first = series.first, let last = series.last else { return "" }
            return ConsoleSparkline.svg(series, label: "\(name) over the last \(series.count) minutes: from \(first) to \(last)")
        }
        var values: [String: Any] = [
            "ingressSpark": spark("Ingress", \.ingressLength), "deliveriesSpark": spark("Deliveries", \.deliveriesLength),
            "retrySpark": spark("Retry backlog", \.retryBacklog), "waitingSpark": spark("Waiting", \.waiting),
            "dlqSpark": spark("Dead letters", \.deadLetters),
        ]
        values.merge([
            "at": Self.iso(report.atMillis), "partitions": stores.count, "onePartition": stores.count == 1,
            "ingress": queues.ingressLength, "ingressPending": queues.ingressPending, "deliveries": queues.deliveriesLength,
            "deliveriesPending": queues.deliveriesPending, "retry": queues.retryBacklog, "waiting": queues.waiting,
            "dlq": queues.deadLetters, "endpoints": endpoints,
        ]) { $1 }
        return html(pages.render("overview", values, chrome: chrome("Overview", request)))
    }

    private func overviewJSON() async throws -> Response {
        let queues = try await partitions().status()
        let object: [String: Any] = [
            "at": Self.iso(Date().unixMillis), "ingress": queues.ingressLength,
            "ingress_pending": queues.ingressPending, "deliveries": queues.deliveriesLength,
            "deliveries_pending": queues.deliveriesPending, "retry": queues.retryBacklog, "waiting": queues.waiting,
            "dlq": queues.deadLetters,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Self.respond(.ok, type: "application/json", body: String(decoding: data, as: UTF8.self))
    }

    private func deadLetters(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let query = Self.query(request)
        let tenant = query["tenant"] ?? ""
        let endpoint = query["endpoint"] ?? ""
        let reason = query["reason"] ?? ""
        let stores = try await partitions()
        // A filter that cannot match is the operator's mistake, said as /events and the CLI say
        // theirs — not an empty page, nor another partition's dead letters.
        if !reason.isEmpty, DeadLetterReason(rawValue: reason) == nil {
            let reasons = DeadLetterReason.allCases.map(\.rawValue).joined(separator: ", ")
            return error(request, .badRequest, heading: "Unknown reason", message: "'\(reason)' is no dead-letter reason; choose one of \(reasons).")
        }
        let partitionText = query["partition"] ?? ""
        guard partitionText.isEmpty || Int(partitionText).map({ (0..<stores.count).contains($0) }) == true else {
            return error(
                request, .badRequest, heading: "No such partition",
                message: "'\(partitionText)' is no partition here; they go from 0 to \(stores.count - 1).")
        }
        let partition = Int(partitionText) ?? 0
        let after = query["after"]
        let damaged = after.map { !WorkerStore.isStreamID($0) } ?? false
        func matches(_ entry: DeadLetterEntry) -> Bool {
            (tenant.isEmpty || entry.delivery.target.tenant == tenant)
                && (endpoint.isEmpty || entry.delivery.target.endpoint == endpoint || entry.delivery.target.description == endpoint)
                && (reason.isEmpty || entry.reason.rawValue == reason)
        }
        // Reads of one partition, a page at a time, until a page's worth match or
        // `deadLetterScanLimit` were read: a rare filter neither hides its matches behind empty
        // pages nor reads a large queue in one go. The next page goes on after the last one read.
        var shown: [DeadLetterEntry] = []
        var scanned = 0
        // Entries read, those that do not decode included: the scan limit bounds Redis reads.
        var read = 0
        var cursor = after
        var reachedEnd = damaged
        scan: while !reachedEnd && read < Self.deadLetterScanLimit {
            let page = try await stores.store(partition).deadLetterPage(count: pageSize, after: cursor)
            read += page.read
            for entry in page.entries {
                scanned += 1
                cursor = entry.id
                if matches(entry) { shown.append(entry) }
                if shown.count == pageSize { break scan }
            }
            // Past entries that do not decode too: they are not shown, but the page was full.
            if let last = page.lastID { cursor = last }
            reachedEnd = page.read < pageSize
        }
        let session = currentSession(request)
        let entries = shown.enumerated().map { index, entry -> [String: Any] in
            let target = entry.delivery.target
            return [
                "index": index, "id": WorkerStores.qualified(entry.id, partition: partition), "event": entry.delivery.event.webhookID,
                "eventHref": Self.eventHref(entry.delivery.event.webhookID),
                "target": target.tenant.isEmpty ? "—" : target.description, "reason": entry.reason.rawValue,
                "last": entry.last() ?? "—", "lastWhole": entry.lastIsCut() ? entry.lastError ?? "" : "",
                "attempts": entry.attempts, "at": Self.iso(entry.deadLetteredAtMillis),
            ]
        }
        var next: String?
        if !reachedEnd, let last = cursor {
            var items = [URLQueryItem(name: "after", value: last), URLQueryItem(name: "partition", value: String(partition))]
            for (name, value) in [("tenant", tenant), ("endpoint", endpoint), ("reason", reason)] where !value.isEmpty {
                items.append(URLQueryItem(name: name, value: value))
            }
            var components = URLComponents()
            components.path = "/dead-letters"
            components.queryItems = items
            next = components.string
        }
        let reasons = [["value": "", "label": "any", "selected": reason.isEmpty]]
            + DeadLetterReason.allCases.map { ["value": $0.rawValue, "label": $0.rawValue, "selected": $0.rawValue == reason] }
        var values: [String: Any] = [
            "tenant": tenant, "endpoint": endpoint, "reasons": reasons, "entries": entries, "shown": entries.count,
            "scanned": scanned.formatted(), "damaged": damaged,
            "more": next != nil, "filtered": !(tenant.isEmpty && endpoint.isEmpty && reason.isEmpty),
            "manyPartitions": stores.count > 1,
            "partitions": (0..<stores.count).map { ["value": $0, "selected": $0 == partition] },
            "canAct": session != nil && sessions.acceptsActions, "csrf": session?.csrf ?? "",
            "signInHint": sessions.acceptsActions
                ? "Sign in with the operator token to replay or purge."
                : "Read-only: the console was started without --token-file.",
        ]
        if let next { values["next"] = next }
        return html(pages.render("dead-letters", values, chrome: chrome("Dead letters", request)), status: damaged ? .badRequest : .ok)
    }

    private func deadLetterAction(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        guard let session = authorised(request, form: form) else { return forbidden(request) }
        let ids = form.filter { $0.name == "id" }.map(\.value)
        let action = form.first { $0.name == "action" }?.value ?? ""
        let stores = try await partitions()
        switch action {
        case "replay":
            let current = routes
            let matcher = RouteMatcher(config: current)
            var replayed = 0, stillNoRoute = 0, notReplayable = 0
            for id in ids {
                guard let (partition, streamID) = stores.split(id), let entry = try await stores.store(partition).deadLetter(id: streamID) else {
                    continue
                }
                switch entry.replay(matcher: matcher, nowMillis: Date().unixMillis) {
                case .notReplayable: notReplayable += 1
                case .stillNoRoute: stillNoRoute += 1
                case .deliveries(let deliveries):
                    let window = entry.replayArchiveWindow(recoveryWindow: current.worker.recoveryWindow)
                    if try await stores.replay(deadLetterID: id, with: deliveries, archiveWindow: window) { replayed += 1 }
                }
            }
            audit(session, "replayed dead letters", ["selected": ids.count, "replayed": replayed, "still_no_route": stillNoRoute, "not_replayable": notReplayable])
            return result(
                request, heading: "Replayed", kind: "replay",
                summary: "\(replayed) of \(ids.count) selected dead letter\(ids.count == 1 ? "" : "s") replayed with a fresh schedule.",
                counts: [("selected", "Selected", ids.count), ("replayed", "Replayed", replayed), ("still_no_route", "Still no route", stillNoRoute), ("not_replayable", "Not replayable", notReplayable)])
        case "purge":
            guard form.contains(where: { $0.name == "confirm" && $0.value == "yes" }) else {
                let values: [String: Any] = ["ids": ids, "count": ids.count, "one": ids.count == 1, "csrf": session.csrf]
                return html(pages.render("confirm-purge", values, chrome: chrome("Confirm purge", request)))
            }
            let purged = try await stores.purge(deadLetterIDs: ids)
            audit(session, "purged dead letters", ["selected": ids.count, "purged": purged])
            return result(
                request, heading: "Purged", kind: "purge",
                summary: "\(purged) of \(ids.count) selected dead letter\(ids.count == 1 ? "" : "s") purged.",
                counts: [("selected", "Selected", ids.count), ("purged", "Purged", purged)])
        default:
            return error(request, .badRequest, heading: "Unknown action", message: "Choose replay or purge.")
        }
    }

    // MARK: - Recover

    private func recoverForm(_ request: Request) -> Response {
        let session = currentSession(request)
        let routes = self.routes
        let window = routes.worker.recoveryWindow
        var values: [String: Any] = [
            "endpoints": routes.allEndpoints.map(\.ref.description), "canAct": session != nil && sessions.acceptsActions,
            "csrf": session?.csrf ?? "",
            "signInHint": sessions.acceptsActions ? "Sign in with the operator token to recover." : "Read-only: the console was started without --token-file.",
        ]
        if window > .zero { values["window"] = "\(window.components.seconds / 3600) h \(window.components.seconds % 3600 / 60) min" }
        return html(pages.render("recover", values, chrome: chrome("Recover", request)))
    }

    private func recover(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        guard let session = authorised(request, form: form) else { return forbidden(request) }
        let value = { (name: String) in form.first { $0.name == name }?.value ?? "" }
        guard let endpoint = EndpointRef(parsing: value("endpoint")) else {
            return error(request, .badRequest, heading: "Which endpoint?", message: "Choose an endpoint as tenant/endpoint.")
        }
        let now = Date().unixMillis
        guard let since = OperatorTime.millis(value("since"), nowMillis: now) else {
            return error(request, .badRequest, heading: "Since when?", message: "Give an ISO 8601 time (2026-12-05T09:30:00Z) or a duration ago (90m, 2h, 1d).")
        }
        let dryRun = value("dry_run") == "1"
        let recovery = try await partitions().recover(endpoint: endpoint, sinceMillis: since, dryRun: dryRun)
        audit(session, dryRun ? "counted deliveries to recover" : "recovered an endpoint", ["found": recovery.found, "enqueued": recovery.enqueued])
        var summary = "\(recovery.found) deliveries to \(endpoint) since \(Self.iso(since)) among \(recovery.scanned) archived events; \(dryRun ? "none sent (count only)" : "\(recovery.enqueued) sent again")."
        if let start = recovery.archiveStartsAtMillis, start > since {
            summary += " The archive starts at \(Self.iso(start)): deliveries before that are no longer kept."
        } else if recovery.archiveStartsAtMillis == nil {
            summary += " The archive is empty."
        }
        return result(
            request, heading: dryRun ? "Counted" : "Recovered", kind: "recover", summary: summary,
            counts: [("scanned", "Archived events", recovery.scanned), ("found", "Deliveries found", recovery.found), ("enqueued", "Sent again", recovery.enqueued)])
    }

    // MARK: - Sign-in

    private func login(_ request: Request, failed: Bool, status: HTTPResponse.Status) -> Response {
        html(pages.render("login", ["failed": failed, "actions": sessions.acceptsActions], chrome: chrome("Sign in", request)), status: status)
    }

    private func signIn(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        let name = form.first { $0.name == "name" }?.value ?? ""
        let token = form.first { $0.name == "token" }?.value ?? ""
        guard let (id, session) = sessions.signIn(operatorName: name, candidate: token, address: context.clientAddress) else {
            logger.warning("console sign-in refused: wrong operator token", metadata: ["address": "\(context.clientAddress)"])
            return login(request, failed: true, status: .unauthorized)
        }
        audit(session, "signed in", [:])
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.headers[.setCookie] = "\(Self.cookie)=\(id); Path=/; HttpOnly; SameSite=Strict"
        return response
    }

    private func signOut(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        guard let session = authorised(request, form: form) else { return forbidden(request) }
        sessions.signOut(request.cookies[Self.cookie]?.value)
        audit(session, "signed out", [:])
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.headers[.setCookie] = "\(Self.cookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        return response
    }

    func currentSession(_ request: Request) -> ConsoleSession? {
        sessions.session(request.cookies[Self.cookie]?.value)
    }

    /// The session of a mutating request: signed in, and the form carries the session's CSRF value.
    private func authorised(_ request: Request, form: [(name: String, value: String)]) -> ConsoleSession? {
        guard let session = currentSession(request), let csrf = form.first(where: { $0.name == "csrf" })?.value,
            ConsoleSessions.constantTimeEqual(Array(csrf.utf8), Array(session.csrf.utf8))
        else { return nil }
        return session
    }

    private func audit(_ session: ConsoleSession, _ what: String, _ counts: [String: Int]) {
        var metadata: Logger.Metadata = ["operator": "\(session.operatorName)", "address": "\(session.address)"]
        for (key, value) in counts { metadata[key] = "\(value)" }
        logger.notice("console: \(what)", metadata: metadata)
    }

    // MARK: - Responses

    func chrome(_ title: String, _ request: Request) -> [String: Any] {
        let session = currentSession(request)
        return [
            "title": title, "signedIn": session != nil, "operatorName": session?.operatorName ?? "", "csrf": session?.csrf ?? "",
            "actions": sessions.acceptsActions,
        ]
    }

    private func result(_ request: Request, heading: String, kind: String, summary: String, counts: [(String, String, Int)]) -> Response {
        let values: [String: Any] = [
            "heading": heading, "kind": kind, "summary": summary,
            "counts": counts.map { ["key": $0.0, "label": $0.1, "value": $0.2] },
        ]
        return html(pages.render("result", values, chrome: chrome(heading, request)))
    }

    private func forbidden(_ request: Request) -> Response {
        logger.warning("console action refused: not signed in, or the form's CSRF value is missing or wrong")
        return error(
            request, .forbidden, heading: "Not allowed",
            message: sessions.acceptsActions
                ? "Sign in with the operator token first (and use the console's own forms)."
                : "This console is read-only: it was started without --token-file.")
    }

    func error(_ request: Request, _ status: HTTPResponse.Status, heading: String, message: String) -> Response {
        html(pages.render("error", ["heading": heading, "message": message], chrome: chrome(heading, request)), status: status)
    }

    func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Self.respond(status, type: "text/html; charset=utf-8", body: body)
    }

    static func respond(_ status: HTTPResponse.Status, type: String, body: String) -> Response {
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-store"]
        // Everything is served by the console itself; no page may be framed by another site.
        headers[HTTPFields.Element.Name("Content-Security-Policy")!] = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
        headers[HTTPFields.Element.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPFields.Element.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func asset(_ text: String, type: String) -> Response {
        respond(.ok, type: type, body: text)
    }

    /// Every partition that may hold something (routes.yaml's count or the recorded one, whichever is higher).
    func partitions() async throws -> WorkerStores {
        try await stores.growToRecord()
    }

    /// `application/x-www-form-urlencoded` fields in order (repeated names kept), at most 1 MiB.
    static func form(_ request: Request) async throws -> [(name: String, value: String)] {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return formFields(String(buffer: buffer))
    }

    /// The query's fields as a browser's GET form encodes them (a space as `+`), the first value
    /// of each name.
    static func query(_ request: Request) -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in formFields(request.uri.query ?? "") where fields[name] == nil {
            fields[name] = value
        }
        return fields
    }

    /// Fields of `application/x-www-form-urlencoded` text, in order.
    static func formFields(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            guard let name = parts.first else { return nil }
            return (decode(name), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// `body` as indented JSON when it is JSON, else as text; cut at `limit` bytes, saying so.
    static func pretty(_ body: [UInt8], limit: Int) -> String {
        var text: String
        if let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        {
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = String(decoding: body, as: UTF8.self)
        }
        if text.utf8.count > limit {
            text = String(decoding: Array(text.utf8.prefix(limit)), as: UTF8.self) + "\n… (\(body.count) bytes; the first \(limit) shown)"
        }
        return text
    }

    /// `millis` as an ISO 8601 time: to the second for reading, to the millisecond for links.
    static func iso(_ millis: Int64, milliseconds: Bool = false) -> String {
        UnixMillisISO8601.string(millis, milliseconds: milliseconds)
    }

    /// The link to an event's page: `/events/ID`, or `/events?id=ID` for an id a browser would
    /// take for a dot segment (`.`, `..`) and resolve to another page.
    static func eventHref(_ id: String) -> String {
        if id == "." || id == ".." {
            return "/events?id=" + (id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id)
        }
        return "/events/" + pathComponent(id)
    }

    static func pathComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? text
    }

    /// "N/min (M failed)" over the workers' last minute; "200+" when a worker's window filled in it.
    static func rate(_ summaries: [EndpointSummary]) -> String {
        let minutes = summaries.compactMap(\.lastMinute)
        guard !minutes.isEmpty else { return "—" }
        let total = minutes.reduce(0, +)
        let failed = summaries.compactMap(\.failedLastMinute).reduce(0, +)
        let capped = summaries.contains { ($0.lastMinute ?? 0) >= EndpointSummary.window }
        return "\(total)\(capped ? "+" : "")/min (\(failed) failed)"
    }

    static func label(_ condition: EndpointState.Condition) -> String {
        switch condition {
        case .circuitOpen: "circuit open"
        case .halfOpen: "half-open (probing)"
        case .paused: "paused"
        case .ok: "ok"
        }
    }
}
