import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// The console in a real headless Chromium (WebDriver): the overview's counts, an event's
/// attempts, a refused sign-in, and a dead letter replayed from the page that arrives at the
/// sink. Each page's screenshot is written to .build/console-screenshots/.
@Suite struct ConsoleBrowserTests {
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/console-screenshots").path

    @Test func anOperatorSeesTheQueuesAndAnEventAndReplaysADeadLetterFromTheBrowser() async throws {
        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        try await ConsoleTests.withConsoleGateway { gateway, base, sink, healthy in
            let browser = try await WebDriver.start(client: gateway.client, log: gateway.dir.file("chromedriver.log"))
            do {
                try await drive(browser, base: base, gateway: gateway, sink: sink, healthy: healthy)
                await browser.quit()
            } catch {
                await browser.quit()
                throw error
            }
        }
    }

    private func drive(_ browser: WebDriver, base: String, gateway: GatewayProcesses, sink: Sink, healthy: SinkSwitch) async throws {
        let exhausted = try await gateway.post(type: "batch.succeeded", id: "msg_console_exhausted")
        _ = try await gateway.post(type: "video.generated", id: "msg_console_unrouted")
        _ = try await gateway.post(type: "batch.failed", id: "msg_console_exhausted_too")
        try await poll(until: { try await gateway.store.deadLetters().count == 3 }, "three dead letters")

        // The overview shows the dead letters' count and the endpoint, and the last hour as lines
        // (workers record a reading a minute; a few minutes are written here to have some).
        let history = QueueHistory(client: gateway.redis.client, keyspace: gateway.redis.keyspace)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for (minute, dlq) in [0, 1, 1, 2, 3].enumerated() {
            let status = StoreStatus(
                ingressLength: [4, 9, 2, 6, 0][minute], ingressPending: 0, deliveriesLength: [3, 8, 5, 1, 0][minute], deliveriesPending: 0,
                retryBacklog: [0, 2, 3, 1, 0][minute], deadLetters: dlq, waiting: 0)
            #expect(try await history.record(status, nowMillis: now + Int64(minute + 1) * 60_000))
        }
        // …and, once the worker has published them (every few seconds), the endpoint's recent attempts.
        try await poll(until: {
            try await browser.open(base + "/")
            return try await browser.text("[data-success]").contains("% of")
        }, "the endpoint's recent attempts are shown")
        #expect(try await browser.elements("svg.spark").count == 5)
        #expect(try await browser.text("[data-field=dlq]") == "3")
        #expect(try await browser.source.contains("acme/main"))
        try await browser.screenshot(to: Self.screenshots + "/overview.png")

        // The event page lists its three failed attempts.
        try await browser.open(base + "/events/\(exhausted)")
        let rows = try await browser.elements("tbody.attempts tr")
        #expect(rows.count == 3)
        #expect(try await browser.source.components(separatedBy: "<td>500</td>").count - 1 == 3)
        try await browser.screenshot(to: Self.screenshots + "/event.png")

        // A wrong token is refused, and the dead letters offer no action while signed out.
        try await browser.open(base + "/dead-letters")
        #expect(try await browser.elements("input[type=checkbox]").isEmpty)
        try await browser.open(base + "/login")
        try await browser.type("mallory", into: "input[name=name]")
        try await browser.type("not-the-token", into: "input[name=token]")
        try await browser.click("form.stacked button[type=submit]")
        try await browser.waitFor("[role=alert]")
        #expect(try await browser.text("[role=alert]").contains("not the operator token"))
        // A page that posts the action itself, without a session (as a forged form would): refused.
        let victim = try await gateway.store.deadLetters()[0].id
        let forged = try await browser.execute("""
            return fetch('/dead-letters/action', {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'},
              body: 'action=purge&confirm=yes&id=' + encodeURIComponent('\(victim)')}).then(response => response.status)
            """)
        #expect((forged as? Int) == 403, "\(String(describing: forged))")
        #expect(try await gateway.store.deadLetters().count == 3)

        // Signed in, the operator selects one dead letter and replays it; it reaches the endpoint.
        try await browser.open(base + "/login")
        try await browser.type("alice", into: "input[name=name]")
        try await browser.type(ConsoleTests.token, into: "input[name=token]")
        try await browser.click("form.stacked button[type=submit]")
        try await browser.waitFor(".who")
        #expect(try await browser.text(".who") == "Signed in as alice")
        try await browser.open(base + "/dead-letters")
        let letters = try await gateway.store.deadLetters()
        let target = try #require(letters.first { $0.delivery.event.webhookID == exhausted })
        try await browser.click("input[type=checkbox][value=\"\(target.id)\"]")
        try await browser.screenshot(to: Self.screenshots + "/dead-letters.png")
        await healthy.turnOn()
        try await browser.click("button[value=replay]")
        try await browser.waitFor("[data-count=replayed]")
        #expect(try await browser.text("[data-count=replayed]") == "1")
        #expect(try await browser.text("[data-count=selected]") == "1")
        try await browser.screenshot(to: Self.screenshots + "/replayed.png")
        try await poll(until: {
            await sink.requests(to: "/hook").filter { $0.header("webhook-id") == exhausted }.count == 4
        }, "the replayed delivery reaches the sink (after its three failed attempts)")
        #expect(try await gateway.store.deadLetters().map(\.delivery.event.webhookID).sorted() == ["msg_console_exhausted_too", "msg_console_unrouted"])

        // From the overview, the endpoint's recent events: the replayed one now stands delivered.
        try await browser.open(base + "/")
        try await browser.click(#"a[href="/events?endpoint=acme/main"]"#)
        try await browser.waitFor("tbody.hits")
        try await poll(until: {
            try await browser.open(base + "/events?endpoint=acme/main")
            let rows = try await browser.elements("tbody.hits tr")
            let last = try await browser.text("tbody.hits tr:last-child")
            return rows.count == 2 && last.contains("delivered")
        }, "acme/main's two events, the replayed one delivered")
        #expect(try await browser.text("tbody.hits tr:first-child").contains("msg_console_exhausted_too"))

        // The search form: the events that matched no route.
        try await browser.open(base + "/events")
        try await browser.click("select[name=outcome] option[value=no_route]")
        try await browser.click(#"form[aria-label="Search events"] button[type=submit]"#)
        // The unfiltered page already lists events: wait for the answer to the search itself.
        try await poll(until: {
            let rows = try await browser.elements("tbody.hits tr")
            let text = try await browser.text("tbody.hits")
            return rows.count == 1 && text.contains("msg_console_unrouted")
        }, "the search by outcome lists the one event that matched no route")
        try await browser.screenshot(to: Self.screenshots + "/events.png")

        // Every form control has a label, and on a phone's width no page scrolls sideways (wide
        // tables scroll inside their own box).
        try await browser.resize(width: 390, height: 844)
        for path in ["/", "/dead-letters", "/events", "/events/\(exhausted)", "/recover"] {
            try await browser.open(base + path)
            let unlabelled = try await browser.execute("""
                return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                  .filter(control => control.labels.length === 0 && !control.getAttribute('aria-label')).map(control => control.name)
                """)
            #expect((unlabelled as? [String]) == [], "\(path): controls without a label: \(String(describing: unlabelled))")
            let overflow = try await browser.execute("return document.documentElement.scrollWidth - window.innerWidth")
            #expect((overflow as? Int).map { $0 <= 0 } == true, "\(path) is \(String(describing: overflow)) px wider than a phone")
        }
        try await browser.open(base + "/")
        try await browser.screenshot(to: Self.screenshots + "/overview-phone.png")
    }
}
