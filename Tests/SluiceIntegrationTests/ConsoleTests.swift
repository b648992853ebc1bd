import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// `sluice console` against real edge, worker and redis-server processes: what its pages show,
/// and that replaying or purging needs a signed-in session and the form's CSRF value.
@Suite struct ConsoleTests {
    static let token = "console-operator-token-7b1e0c"

    /// A console process over `gateway`'s Redis, with the operator token.
    static func startConsole(_ gateway: GatewayProcesses) async throws -> (process: ChildProcess, url: String) {
        let tokenPath = try gateway.dir.write("console-token", token + "\n")
        let (process, port) = try await SluiceBinary.startServer("the console", log: gateway.dir.file("console.log"), client: gateway.client) { port in
            ["console", "--config", gateway.routesPath, "--redis", "\(gateway.redis.url)", "--listen", "127.0.0.1:\(port)", "--token-file", tokenPath]
        }
        return (process, "http://127.0.0.1:\(port)")
    }

    /// Edge, worker and console processes over one redis-server, the endpoint a sink whose
    /// `/hook` answers 500 (with an `X-Request-Id`) until `healthy` is on; `body` gets the gateway and the console's URL.
    static func withConsoleGateway(_ body: (GatewayProcesses, String, Sink, SinkSwitch) async throws -> Void) async throws {
        try await withSink { sink in
            let healthy = SinkSwitch()
            // A failing answer carries a request id (kept with the attempt) and a header that is not kept.
            await sink.respond(to: "/hook") { _ in
                await healthy.isOn ? .ok : .status(500, headers: [("X-Request-Id", "req-42"), ("X-Internal-Note", "not-for-the-log")])
            }
            try await withRedis { redis in
                let routes = GatewayProcesses.routes(
                    prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: OperatorCommandsTests.batchRoute, trailer: "worker: {recovery_window: 1h}")
                try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: routes) { gateway in
                    let (console, base) = try await startConsole(gateway)
                    defer { console.send(SIGKILL) }
                    try await body(gateway, base, sink, healthy)
                }
            }
        }
    }

    /// A console process alone (no edge or worker) over a fresh redis-server, on loopback without a
    /// token file, with `extra` arguments; `body` gets the gateway's files and client and its port.
    static func withConsoleAlone(_ extra: [String], _ body: (GatewayProcesses, Int) async throws -> Void) async throws {
        try await withRedis { redis in
            let gateway = try GatewayProcesses(
                redis: redis, routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: "http://127.0.0.1:9/hook", routes: OperatorCommandsTests.batchRoute))
            defer { gateway.close() }
            let (console, port) = try await SluiceBinary.startServer("the console", log: gateway.dir.file("console.log"), client: gateway.client) { port in
                ["console", "--config", gateway.routesPath, "--redis", "\(redis.url)", "--listen", "127.0.0.1:\(port)"] + extra
            }
            defer { console.send(SIGKILL) }
            try await body(gateway, port)
        }
    }

    /// A browser's request: GET, or POST of `form` fields; `cookie` as a browser would send it.
    static func request(
        _ client: HTTPClient, _ url: String, form: [(String, String)]? = nil, cookie: String? = nil
    ) async throws -> (status: Int, body: String, setCookie: String?) {
        var headers: [HTTPHeader] = []
        if let cookie { headers.append(HTTPHeader(name: "cookie", value: cookie)) }
        var body: [UInt8] = []
        if let form {
            headers.append(HTTPHeader(name: "content-type", value: "application/x-www-form-urlencoded"))
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            body = Array(form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&").utf8)
        }
        let response = try await client.execute(HTTPRequest(
            method: form == nil ? "GET" : "POST", url: url, headers: headers, body: body, timeout: .seconds(10),
            keptResponseHeaders: ["set-cookie"]))
        return (response.status, String(decoding: response.body, as: UTF8.self), response.header("set-cookie"))
    }

    /// The first capture of `pattern` in `text`.
    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), match.numberOfRanges > 1,
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    @Test func pagesShowQueuesDeadLettersAndAttemptsAndActionsNeedTheTokenAndTheForm() async throws {
        try await Self.withConsoleGateway { gateway, base, sink, healthy in
            let client = gateway.client

            let exhausted = try await gateway.post(type: "batch.succeeded")
            let unrouted = try await gateway.post(type: "video.generated")
            var page = ""
            try await poll(until: {
                page = try await Self.request(client, base + "/dead-letters").body
                return page.contains(exhausted) && page.contains(unrouted)
            }, "both dead letters are on the dead-letters page")
            #expect(page.contains("exhausted") && page.contains("no_route"))
            // Signed out: no selection boxes, no action buttons.
            #expect(!page.contains("type=\"checkbox\"") && !page.contains("Replay selected"))

            // The overview counts them, draws the last hour as workers record it once a minute,
            // and the event page shows every attempt.
            let history = QueueHistory(client: gateway.redis.client, keyspace: gateway.redis.keyspace)
            let later = Int64(Date().timeIntervalSince1970 * 1000) + 60_000
            #expect(try await history.record(StoreStatus.empty, nowMillis: later))
            #expect(try await history.record(try await gateway.store.status(), nowMillis: later + 60_000))
            let overview = try await Self.request(client, base + "/")
            #expect(overview.body.contains(#"aria-label="Dead letters over the last "#), "\(overview.body)")
            #expect(overview.body.contains("to 2\""))
            #expect(overview.status == 200)
            #expect(overview.body.contains(#"data-field="dlq">2<"#), "\(overview.body)")
            #expect(overview.body.contains("acme/main"))
            let event = try await Self.request(client, base + "/events/\(exhausted)")
            #expect(event.status == 200)
            #expect(event.body.components(separatedBy: "<td>500</td>").count - 1 == 3, "\(event.body)")
            // Each attempt keeps the response headers an on-call needs, and only those.
            #expect(event.body.components(separatedBy: "x-request-id: req-42").count - 1 == 3, "\(event.body)")
            #expect(!event.body.contains("not-for-the-log"))
            // The archive (worker.recovery_window here) keeps its body: shown, pretty-printed.
            #expect(event.body.contains(#"<pre class="body""#) && event.body.contains("batch.succeeded"), "\(event.body)")
            // …and how the routes treat it: `batches` matches, the reason as `routes explain` gives it.
            #expect(event.body.contains("<td>batches</td>") && event.body.contains(">matched<"), "\(event.body)")
            #expect(try await Self.request(client, base + "/events/msg_unknown").status == 404)
            let json = try await Self.request(client, base + "/overview.json")
            #expect(json.body.contains(#""dlq":2"#))

            // Actions without a session, or with a wrong token, are refused and change nothing.
            let deadID = try #require(Self.capture(#"<code>([^<]+)</code></td><td><a href="/events/\#(exhausted)""#, in: page), "\(page)")
            let anonymous = try await Self.request(client, base + "/dead-letters/action", form: [("action", "replay"), ("id", deadID)])
            #expect(anonymous.status == 403)
            let wrong = try await Self.request(client, base + "/login", form: [("name", "mallory"), ("token", "guess")])
            #expect(wrong.status == 401 && wrong.setCookie == nil)

            // Signed in: the cookie is HttpOnly and SameSite=Strict, and forms carry the CSRF value.
            let signedIn = try await Self.request(client, base + "/login", form: [("name", "alice"), ("token", Self.token)])
            #expect(signedIn.status == 303)
            let setCookie = try #require(signedIn.setCookie)
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
            page = try await Self.request(client, base + "/dead-letters", cookie: cookie).body
            let csrf = try #require(Self.capture(#"name="csrf" value="([0-9a-f]+)""#, in: page))
            #expect(page.contains("Replay selected"))
            let forged = try await Self.request(client, base + "/dead-letters/action", form: [("action", "replay"), ("id", deadID)], cookie: cookie)
            #expect(forged.status == 403, "a form without the CSRF value is refused")
            #expect(try await gateway.store.deadLetters().count == 2)

            // Replay: the endpoint works again and receives the event with a fresh schedule.
            await healthy.turnOn()
            let replayed = try await Self.request(
                client, base + "/dead-letters/action", form: [("csrf", csrf), ("action", "replay"), ("id", deadID)], cookie: cookie)
            #expect(replayed.status == 200)
            #expect(replayed.body.contains(#"data-count="replayed">1<"#), "\(replayed.body)")
            try await poll(until: {
                let fresh = await sink.requests(to: "/hook").filter { $0.header("webhook-id") == exhausted && $0.header("x-sluice-attempt") == "1" }
                let left = try await gateway.store.deadLetters().count
                // Attempt 1 twice: the first before it was dead-lettered, the second from the replay.
                return fresh.count == 2 && left == 1
            }, "the replayed delivery arrives")

            // Purge asks first, then deletes.
            let remaining = try #require(try await gateway.store.deadLetters().first?.id)
            let asked = try await Self.request(
                client, base + "/dead-letters/action", form: [("csrf", csrf), ("action", "purge"), ("id", remaining)], cookie: cookie)
            #expect(asked.status == 200 && asked.body.contains("Purge 1"))
            #expect(try await gateway.store.deadLetters().count == 1)
            let purged = try await Self.request(
                client, base + "/dead-letters/action", form: [("csrf", csrf), ("action", "purge"), ("confirm", "yes"), ("id", remaining)], cookie: cookie)
            #expect(purged.body.contains(#"data-count="purged">1<"#), "\(purged.body)")
            #expect(try await gateway.store.deadLetters().isEmpty)

            // Recover: every delivery to acme/main in the last 10 minutes, counted, then sent again.
            #expect(try await Self.request(client, base + "/recover", form: [("endpoint", "acme/main"), ("since", "10m")]).status == 403)
            let counted = try await Self.request(
                client, base + "/recover", form: [("csrf", csrf), ("endpoint", "acme/main"), ("since", "10m"), ("dry_run", "1")], cookie: cookie)
            #expect(counted.body.contains(#"data-count="found">1<"#) && counted.body.contains(#"data-count="enqueued">0<"#), "\(counted.body)")
            let sentBefore = await sink.requests(to: "/hook").count
            let recovered = try await Self.request(
                client, base + "/recover", form: [("csrf", csrf), ("endpoint", "acme/main"), ("since", "10m")], cookie: cookie)
            #expect(recovered.body.contains(#"data-count="enqueued">1<"#), "\(recovered.body)")
            try await poll(until: { await sink.requests(to: "/hook").count == sentBefore + 1 }, "the recovered delivery arrives")

            // The overview shows each endpoint's recent attempts as the worker publishes them
            // (every few seconds): success ratio and the last error.
            var overviewPage = ""
            try await poll(until: {
                overviewPage = try await Self.request(client, base + "/").body
                return overviewPage.contains("HTTP 500 (") && overviewPage.contains("% of ") && overviewPage.contains("/min (")
            }, "the endpoint's recent attempts are on the overview")

            // Every action is in the log with who did it; the token never is.
            let log = try String(contentsOfFile: gateway.dir.file("console.log"), encoding: .utf8)
            #expect(log.contains("console: replayed dead letters") && log.contains("console: purged dead letters") && log.contains("console: recovered an endpoint"))
            #expect(log.contains("alice"))
            #expect(!log.contains(Self.token))
        }
    }

    @Test func eventSearchFindsEventsByEndpointTypeAndOutcomeAndEndpointsLinkToIt() async throws {
        try await Self.withConsoleGateway { gateway, base, _, healthy in
            let client = gateway.client
            // One dead-lettered (the endpoint fails until it is exhausted), one delivered, one
            // that matches no route.
            let failed = try await gateway.post(type: "batch.failed")
            try await poll(until: { try await gateway.store.deadLetters().count == 1 }, "the first event is dead-lettered")
            await healthy.turnOn()
            let delivered = try await gateway.post(type: "batch.succeeded")
            let unrouted = try await gateway.post(type: "video.generated")
            func ids(_ query: String) async throws -> [String] {
                let page = try await Self.request(client, base + "/events" + query)
                #expect(page.status == 200, "\(query): \(page.body)")
                let hits = page.body.components(separatedBy: #"<tbody class="hits">"#).dropFirst().first ?? ""
                return [failed, delivered, unrouted].filter { hits.contains(">\($0)</a>") }
                    .sorted { hits.range(of: $0)!.lowerBound < hits.range(of: $1)!.lowerBound }
            }
            try await poll(until: {
                let page = try await Self.request(client, base + "/events?outcome=delivered").body
                return page.contains(">\(delivered)</a>")
            }, "the delivered event is found as delivered")

            // Newest first; every filter narrows.
            #expect(try await ids("") == [unrouted, delivered, failed])
            #expect(try await ids("?endpoint=acme/main") == [delivered, failed])
            #expect(try await ids("?tenant=acme") == [delivered, failed])
            #expect(try await ids("?outcome=dead_letter") == [failed])
            #expect(try await ids("?outcome=no_route") == [unrouted])
            #expect(try await ids("?type=video.*") == [unrouted])
            #expect(try await ids("?type=batch.succeeded&outcome=delivered") == [delivered])
            #expect(try await ids("?since=1h&until=2026-01-01T00:00:00Z").isEmpty)
            let row = try await Self.request(client, base + "/events?outcome=dead_letter").body
            #expect(row.contains("acme/main: <span class=\"state state-dead_letter\">dead letter</span>"), "\(row)")

            // A value it cannot read is answered, not ignored.
            let bad = try await Self.request(client, base + "/events?since=yesterday-ish")
            #expect(bad.status == 400 && bad.body.contains("Since: give an ISO 8601 time"), "\(bad.body)")
            #expect(try await Self.request(client, base + "/events?outcome=lost").status == 400)
            #expect(try await Self.request(client, base + "/events?after=garbage").status == 400)

            // The overview links each endpoint to its recent events.
            let overview = try await Self.request(client, base + "/").body
            #expect(overview.contains(#"href="/events?endpoint=acme/main""#), "\(overview)")

            // An event no route took is not archived: its page says where its body is.
            let unroutedPage = try await Self.request(client, base + "/events/" + unrouted).body
            #expect(unroutedPage.contains("Not archived: the event matched no route."), "\(unroutedPage)")
        }
    }

    /// Against DNS rebinding: a page whose name was pointed at 127.0.0.1 makes the browser send
    /// its own name as `Host`, which a console on loopback does not answer (421) — except for
    /// the probes; `--allowed-host` adds the names it is reached by.
    @Test func aConsoleOnLoopbackAnswersOnlyItsOwnHostNames() async throws {
        try await Self.withConsoleAlone(["--allowed-host", "Console.Example"]) { gateway, port in
            func get(_ path: String, host: String) async throws -> Int {
                try await gateway.client.execute(HTTPRequest(
                    method: "GET", url: "http://127.0.0.1:\(port)\(path)", headers: [HTTPHeader(name: "host", value: host)], timeout: .seconds(10))).status
            }
            for path in ["/", "/events", "/overview.json"] {
                let rebound = try await get(path, host: "attacker.example:\(port)")
                #expect(rebound == 421, "\(path)")
            }
            for host in ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)", "console.example", "CONSOLE.example:443"] {
                let status = try await get("/", host: host)
                #expect(status == 200, "\(host)")
            }
            let probe = try await get("/healthz", host: "10.1.2.3:\(port)")
            #expect(probe == 200)
        }
    }

    /// A known page asked with a method it does not take is 405 naming the ones it does, HEAD is
    /// a page's GET without its body, and only an unknown path is 404.
    @Test func aWrongMethodIsRefusedWith405AndAllow() async throws {
        try await Self.withConsoleAlone([]) { gateway, port in
            func ask(_ method: String, _ path: String) async throws -> (status: Int, allow: String?, length: String?, body: [UInt8]) {
                let response = try await gateway.client.execute(HTTPRequest(
                    method: method, url: "http://127.0.0.1:\(port)\(path)", timeout: .seconds(10), keptResponseHeaders: ["allow", "content-length"]))
                return (response.status, response.header("allow"), response.header("content-length"), response.body)
            }
            let actionByGet = try await ask("GET", "/dead-letters/action")
            #expect(actionByGet.status == 405)
            #expect(actionByGet.allow == "POST")
            let overviewByPut = try await ask("PUT", "/")
            #expect(overviewByPut.status == 405)
            #expect(overviewByPut.allow == "GET, HEAD")
            let loginByDelete = try await ask("DELETE", "/login")
            #expect(loginByDelete.allow == "GET, POST, HEAD")
            let eventByPost = try await ask("POST", "/events/msg_1")
            #expect(eventByPost.status == 405)
            for path in ["/", "/events"] {
                #expect(try await ask("HEAD", path).status == 200, "\(path)")
            }
            // A page that does not change between two asks: HEAD announces GET's length.
            for path in ["/healthz", "/assets/console.css"] {
                let (head, get) = (try await ask("HEAD", path), try await ask("GET", path))
                #expect(head.status == 200 && get.status == 200, "\(path)")
                #expect(head.length == String(get.body.count), "\(path): \(head.length ?? "no length") against \(get.body.count)")
            }
            let logoutByHead = try await ask("HEAD", "/logout")
            #expect(logoutByHead.status == 405)
            let unknown = try await ask("GET", "/no-such-page")
            #expect(unknown.status == 404)
            // A dead-letter filter that cannot match is said to be wrong, as /events says its own.
            for (query, status) in [("reason=bogus", 400), ("partition=5", 400), ("partition=x", 400), ("reason=gone&partition=0", 200)] {
                #expect(try await ask("GET", "/dead-letters?\(query)").status == status, "\(query)")
            }
        }
    }

    /// "Fix the routes, then replay" from the console: it reloads routes.yaml as edge and worker
    /// do, so a dead letter that matched no route is routed with the fixed routes.
    @Test func aNoRouteDeadLetterIsReplayedFromTheConsoleWithTheRoutesAsReloaded() async throws {
        try await Self.withConsoleGateway { gateway, base, sink, healthy in
            await healthy.turnOn()
            let client = gateway.client
            let unrouted = try await gateway.post(type: "video.generated")
            try await poll(until: { try await gateway.store.deadLetters().count == 1 }, "the event is dead-lettered as no_route")
            let deadID = try #require(try await gateway.store.deadLetters().first?.id)

            // A route for it, and a second endpoint the console's overview should list.
            let fixed = GatewayProcesses.routes(
                prefix: gateway.redis.prefix, sinkURL: sink.url("/hook"), moreEndpoints: ["second: {url: \"\(sink.url("/second"))\"}"],
                routes: OperatorCommandsTests.batchRoute + "\n  - {name: videos, match: {events: [\"video.*\"]}, to: [acme/main]}",
                trailer: "worker: {recovery_window: 1h}")
            _ = try gateway.dir.write("routes.yaml", fixed)
            try await poll(until: {
                try await Self.request(client, base + "/").body.contains("acme/second")
            }, "the console shows the reloaded routes")

            let signedIn = try await Self.request(client, base + "/login", form: [("name", "alice"), ("token", Self.token)])
            let cookie = try #require(signedIn.setCookie?.split(separator: ";").first.map(String.init))
            let page = try await Self.request(client, base + "/dead-letters", cookie: cookie).body
            let csrf = try #require(Self.capture(#"name="csrf" value="([0-9a-f]+)""#, in: page))
            let replayed = try await Self.request(
                client, base + "/dead-letters/action", form: [("csrf", csrf), ("action", "replay"), ("id", deadID)], cookie: cookie)
            #expect(replayed.body.contains(#"data-count="replayed">1<"#), "\(replayed.body)")
            _ = try await sink.waitForRequests(count: 1, path: "/hook")
            #expect(await sink.requests(to: "/hook").contains { $0.header("webhook-id") == unrouted })
        }
    }

    /// Any webhook-id the edge accepts opens its page from the console's links and its lookup
    /// form: non-ASCII, a slash, a dot segment, spaces (which a browser's GET form sends as `+`).
    @Test func everyEventLinkAndLookupOpensItsEventWhateverItsWebhookID() async throws {
        try await Self.withConsoleGateway { gateway, base, _, healthy in
            await healthy.turnOn()
            let client = gateway.client
            let ids = ["msg_ün ï", "tenant/a%2Fb", "..", "msg with space"]
            for id in ids { try await gateway.post(type: "batch.succeeded", id: id) }
            var hrefs: [String: String] = [:]
            try await poll(until: {
                let page = try await Self.request(client, base + "/events").body
                let hits = page.components(separatedBy: #"<tbody class="hits">"#).dropFirst().first ?? ""
                let regex = try NSRegularExpression(pattern: #"<a href="([^"]+)">([^<]+)</a>"#)
                hrefs = [:]
                for match in regex.matches(in: hits, range: NSRange(hits.startIndex..., in: hits)) {
                    guard let href = Range(match.range(at: 1), in: hits), let text = Range(match.range(at: 2), in: hits) else { continue }
                    hrefs[String(hits[text])] = String(hits[href])
                }
                return ids.allSatisfy { hrefs[$0] != nil }
            }, "the search lists every event")
            for id in ids {
                let href = try #require(hrefs[id])
                let page = try await Self.request(client, base + href)
                #expect(page.status == 200 && page.body.contains("<code>\(id)</code>"), "\(id) → \(href): \(page.status) \(page.body.prefix(300))")
            }
            // The lookup form is a GET form: a browser sends the space as `+`.
            let looked = try await Self.request(client, base + "/events?id=msg+with+space")
            #expect(looked.status == 200 && looked.body.contains("<code>msg with space</code>"), "\(looked.status) \(looked.body.prefix(300))")
        }
    }

    /// A filter that matches only dead letters beyond the first page's worth still finds them
    /// on the first page (the page reads on until it has a page's worth or has searched 2,000),
    /// and a damaged page link is answered, not shown as an empty queue.
    @Test func aFilteredDeadLetterPageSearchesPastEntriesThatDoNotMatch() async throws {
        try await Self.withConsoleGateway { gateway, base, _, _ in
            let client = gateway.client
            // First an entry no Sluice wrote, which no page shows but which must not end the paging.
            _ = try await gateway.redis.client.send(["XADD", RedisArgument(gateway.redis.keyspace.deadLetters), "*", "not", "sluice"])
            // 55 that match no route, then one the failing endpoint exhausts: the last of 56.
            for index in 0..<55 { try await gateway.post(type: "video.generated", id: "msg_unrouted_\(index)") }
            try await poll(until: { try await gateway.store.deadLetters().count == 55 }, "55 no_route dead letters")
            let failed = try await gateway.post(type: "batch.failed")
            try await poll(until: { try await gateway.store.deadLetters().count == 56 }, "the failed event is dead-lettered last")

            let page = try await Self.request(client, base + "/dead-letters?endpoint=acme/main")
            #expect(page.status == 200)
            #expect(page.body.contains(">\(failed)</a>"), "\(page.body)")
            #expect(page.body.contains("1 shown of 56 searched."), "\(page.body)")
            #expect(!page.body.contains("rel=\"next\""), "nothing is left to search: \(page.body)")
            let unfiltered = try await Self.request(client, base + "/dead-letters")
            #expect(unfiltered.body.contains("rel=\"next\""), "49 shown, but more follow: \(unfiltered.body)")

            // Digits past a 64-bit id are as damaged as letters (Redis refused them: a bare 500).
            for after in ["abc", "99999999999999999999-0", "1-18446744073709551616"] {
                let damaged = try await Self.request(client, base + "/dead-letters?after=\(after)")
                #expect(damaged.status == 400 && damaged.body.contains("The page link is damaged"), "\(after): \(damaged.body)")
            }
        }
    }

    /// The summaries' hash is shared: one that no worker could have written (counts at Int64's
    /// top) is left out of the overview instead of overflowing its sums and killing the console.
    @Test func aForgedEndpointSummaryDoesNotBreakTheOverview() async throws {
        try await Self.withConsoleAlone([]) { gateway, port in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let forged = #"{"endpoint":"acme/main","consumer":"fake","atMillis":\#(now),"attempts":9223372036854775807,"#
                + #""succeeded":9223372036854775807,"p50Millis":1,"p95Millis":1,"p99Millis":1,"inFlight":9223372036854775807}"#
            let honest = #"{"endpoint":"acme/main","consumer":"real","atMillis":\#(now),"attempts":4,"succeeded":3,"#
                + #""p50Millis":1,"p95Millis":1,"p99Millis":1,"inFlight":0}"#
            _ = try await gateway.redis.client.send([
                "HSET", RedisArgument(gateway.redis.keyspace.endpointStats), "acme/main@fake", RedisArgument(forged), "acme/main@real", RedisArgument(honest),
            ])
            let overview = try await Self.request(gateway.client, "http://127.0.0.1:\(port)/")
            #expect(overview.status == 200)
            #expect(overview.body.contains("75% of 4"), "\(overview.body)")
        }
    }

    @Test func withoutATokenFileTheConsoleIsReadOnly() async throws {
        try await Self.withConsoleAlone([]) { gateway, port in
            let login = try await Self.request(gateway.client, "http://127.0.0.1:\(port)/login", form: [("name", "a"), ("token", "")])
            #expect(login.status == 401)
            let action = try await Self.request(gateway.client, "http://127.0.0.1:\(port)/dead-letters/action", form: [("action", "purge")])
            #expect(action.status == 403 && action.body.contains("read-only"))
        }
    }
}
