import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// A failing endpoint's circuit opens, parks its deliveries instead of sending them, and a
/// successful probe closes it again.
@Suite struct EndpointCircuitTests {
    // The long last step keeps every delivery's schedule (plus a cooldown) far longer than the
    // test, so none is given up while its circuit is open, however slow the machine.
    @Test func openCircuitStopsRequestsForTheCooldownAndASuccessfulProbeClosesIt() async throws {
        try await withSink { sink in
            let health = EndpointHealth(healthy: false)
            await sink.respond(to: "/hook") { _ in await health.healthy ? .ok : .status(500) }
            let logs = LogCapture()
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
                    max_in_flight: 1
                    circuit_breaker: {failures: 3, cooldown: 1s}
                    retry: {schedule: [0s, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 30s], jitter: 0%}
                    """)
            }, logs: logs) { harness in
                let first = try await harness.post()
                let failures = try await sink.waitForRequests(count: 3, path: "/hook")
                let opened = failures[2].receivedAt
                let series = #"sluice_endpoint_circuit_open{tenant="acme",endpoint="main"}"#
                try await poll(until: {
                    let metrics = String(decoding: try await harness.getMetricsPort("/metrics").body, as: UTF8.self)
                    return MetricsText.value(of: series, in: metrics) == 1
                }, "the worker's /metrics shows the circuit open")
                // `sluice status` reads what the worker reports: this endpoint, open, with a probe time ahead.
                try await poll(until: {
                    try await harness.store.openCircuits().contains { $0.endpoint == EndpointRef(tenant: "acme", endpoint: "main") }
                }, "the open circuit is reported in Redis for `sluice status`")

                // Due at once by their schedules, but the circuit is open: they must wait for the probe.
                let second = try await harness.post()
                let third = try await harness.post()
                await health.set(true)

                let all = try await sink.waitForRequests(count: 4, path: "/hook")
                let quiet = all[3].receivedAt - opened
                #expect(quiet >= .milliseconds(900), "no request while the circuit was open (first after \(quiet))")
                #expect(all[0..<3].allSatisfy { $0.header("webhook-id") == first })

                try await poll(until: {
                    let delivered = Set(await sink.requests(to: "/hook").dropFirst(3).compactMap { $0.header("webhook-id") })
                    return delivered == [first, second, third]
                }, "every parked delivery is delivered once the probe succeeds")
                try await poll(until: { MetricsText.value(of: series, in: harness.workerMetrics()) == 0 }, "the circuit-open gauge reads 0")
                try await poll(until: { try await harness.store.openCircuits().isEmpty }, "the closed circuit is no longer reported")
                let requests = await sink.requests(to: "/hook")
                #expect(requests.count == 6, "three failures, then one request per event: \(requests.map { $0.header("webhook-id") ?? "" })")
                // Parking is not an attempt: the first event's probe is its fourth attempt, the others' their first.
                #expect(requests.first(where: { $0.header("webhook-id") == second })?.header("x-sluice-attempt") == "1")
                #expect(try await harness.store.deadLetters().isEmpty)
                // The log says when the circuit opened (why, and when it probes) and when it closed, once each.
                let lines = logs.text.split(separator: "\n")
                let openLines = lines.filter { $0.contains("circuit opened") }
                #expect(openLines.count == 1, "\(logs.text)")
                #expect(openLines.first.map { $0.hasPrefix("warning ") && $0.contains("tenant=acme") && $0.contains("endpoint=main") } == true, "\(openLines)")
                #expect(openLines.first.map { $0.contains("failures=3") && $0.contains("error=HTTP 500") && $0.contains("probe_at=20") } == true, "\(openLines)")
                let closed = lines.filter { $0.contains("circuit closed") }
                #expect(closed.count == 1 && closed.first?.contains("endpoint=main") == true, "\(logs.text)")
            }
        }
    }

    @Test func concurrentFailuresOpenTheCircuitOnceAndEveryDeliveryArrivesAfterRecovery() async throws {
        try await withSink { sink in
            let health = EndpointHealth(healthy: false)
            await sink.respond(to: "/hook") { _ in await health.healthy ? .ok : .status(500) }
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
                    circuit_breaker: {failures: 3, cooldown: 3s}
                    retry: {schedule: [0s, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 30s], jitter: 0%}
                    """)
            }) { harness in
                var ids: Set<String> = []
                for _ in 0..<8 { ids.insert(try await harness.post()) }
                let series = #"sluice_endpoint_circuit_open{tenant="acme",endpoint="main"}"#
                try await poll(until: { MetricsText.value(of: series, in: harness.workerMetrics()) == 1 }, "the circuit opens")
                await health.set(true)

                try await poll(until: {
                    var delivered: Set<String> = []
                    for id in ids where try await harness.store.attemptLog(source: "gemini", webhookID: id).last?.record.outcome == .delivered {
                        delivered.insert(id)
                    }
                    return delivered == ids
                }, "every delivery is delivered after the circuit closes")
                // Judged by when the worker started each attempt (its attempt log), not by when the
                // sink saw a request: on a busy machine a request sent just before the circuit
                // opened can reach the sink well after. The breaker opens on the third failure to
                // finish, and with a 3 s cooldown no attempt may start from shortly after that until
                // the cooldown is nearly over.
                var records: [AttemptRecord] = []
                for id in ids { records += try await harness.store.attemptLog(source: "gemini", webhookID: id).map(\.record) }
                let failureEnds = records.filter { $0.outcome != .delivered }.map { $0.atMillis + $0.durationMillis }.sorted()
                let opened = try #require(failureEnds.dropFirst(2).first, "three failed attempts: \(records)")
                let duringOpen = records.filter { $0.atMillis > opened + 500 && $0.atMillis < opened + 2_500 }
                #expect(duringOpen.isEmpty, "\(duringOpen.count) attempt(s) started while the circuit was open: \(duringOpen)")
                for id in ids {
                    let log = try await harness.store.attemptLog(source: "gemini", webhookID: id)
                    #expect(log.filter { $0.record.outcome == .delivered }.count == 1, "\(id) delivered once")
                }
                #expect(try await harness.store.deadLetters().isEmpty)
                try await poll(until: { MetricsText.value(of: series, in: harness.workerMetrics()) == 0 }, "the circuit closes")
            }
        }
    }

    @Test func anEndpointThatStaysDownDeadLettersItsParkedDeliveriesOnceTheScheduleIsOver() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hook") { _ in .status(500) }
            let logs = LogCapture()
            try await WorkerHarness.with(routes: { prefix in
                // Schedule 0.2 s, cooldown 4 s: without the limit each parked delivery would wait
                // for a probe of its own, one per cooldown, and take a minute to end.
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
                    max_in_flight: 1
                    circuit_breaker: {failures: 2, cooldown: 4s}
                    retry: {schedule: [0s, 100ms, 100ms], jitter: 0%}
                    """)
            }, logs: logs) { harness in
                var ids: Set<String> = []
                for _ in 0..<6 { ids.insert(try await harness.post()) }
                // About 9 s alone (two cooldowns); the bound leaves room for a machine running the
                // whole suite, where it once took over 20 s. The poll returns as soon as it holds.
                try await poll(until: {
                    Set(try await harness.store.deadLetters().map(\.delivery.event.webhookID)) == ids
                }, timeout: .seconds(60), "every delivery of the dead endpoint is a dead letter")
                let letters = try await harness.store.deadLetters()
                #expect(letters.allSatisfy { $0.reason == .exhausted })
                // Counted whether an attempt made it or the open circuit did.
                try await poll(until: {
                    MetricsText.value(of: #"sluice_dead_letters_total{reason="exhausted"}"#, in: harness.workerMetrics()) == Double(letters.count)
                }, "each dead letter is counted")
                #expect(letters.contains { $0.lastError?.contains("circuit stayed open") == true })
                // The log line of a delivery dead-lettered behind the open circuit counts the
                // attempts made, as the dead letter does (it named the next attempt's number).
                for letter in letters where letter.lastError?.contains("circuit stayed open") == true {
                    let line = logs.text.split(separator: "\n").first {
                        $0.contains("circuit still open after the whole retry schedule") && $0.contains("event_id=\(letter.delivery.event.webhookID) ")
                    }
                    #expect(line?.contains(" attempts=\(letter.attempts)") == true, "\(letter.attempts) attempts: \(line ?? "no line")")
                    let lastError = letter.lastError?.components(separatedBy: "last error: ").last ?? ""
                    #expect(line?.contains(" reason=exhausted") == true && line?.contains(" error=\(lastError) ") == true, "\(line ?? "no line")")
                }
                // Each event's log ends in its dead-lettering, attempted or not.
                for id in ids {
                    #expect(try await harness.store.attemptLog(source: "gemini", webhookID: id).last?.record.outcome == .deadLetter)
                }
                // Each failed probe says so, with the next probe's time. One request at a time: two
                // failures opened the circuit and every request after them was a probe. (Usually
                // one goes out after each cooldown; on a machine slow enough that the circuit
                // opened past the deliveries' schedule, none is left to probe.)
                let probes = logs.text.split(separator: "\n").filter { $0.contains("circuit probe failed") }
                let requests = await sink.requests(to: "/hook").count
                #expect(probes.count == requests - 2, "\(requests) requests: \(logs.text)")
                #expect(probes.allSatisfy { $0.hasPrefix("warning ") && $0.contains("probe_at=20") && $0.contains("error=HTTP 500") }, "\(logs.text)")
                try await poll(until: { (try await harness.store.status()).retryBacklog == 0 }, "nothing is left in the retry set")
                #expect(await sink.requests(to: "/hook").count < 18, "parked deliveries were not all attempted three times")
            }
        }
    }

    /// The patience an open circuit allows counts only while the circuit has stayed open: a
    /// delivery whose schedule began long before — here one that waited a minute in a backlog, as
    /// after an outage of the workers — reaching an endpoint whose circuit opened a moment ago
    /// waits for the probe and is delivered. (It was dead-lettered at once, unattempted, as if the
    /// circuit had been open all that minute; in the chaos harness's flapping endpoint, deliveries
    /// that waited their turn in its line were given up with 3 of their 16 attempts made.)
    @Test func aCircuitThatJustOpenedDoesNotGiveUpOnDeliveriesThatWaitedElsewhere() async throws {
        // Patience: the schedule (0.1 s) + one cooldown (5 s). The cooldown leaves the backlog
        // delivery time to be read while the circuit is open, before its probe.
        try await withFailingEndpoint(cooldown: "5s") { sink, health, harness in
            let endpoint = EndpointRef(tenant: "acme", endpoint: "main")
            let opener = try await harness.post()
            try await poll(until: {
                try await harness.store.openCircuits().contains { $0.endpoint == endpoint }
            }, "the first failure opens the circuit")

            // A delivery accepted a minute ago, put on the deliveries stream as the router would.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let id = "msg_backlog_\(UUID().uuidString)"
            let event = IngressEvent(
                webhookID: id, source: "gemini", channel: nil, eventType: "batch.succeeded", webhookTimestamp: now / 1000 - 60,
                receivedAtMillis: now - 60_000, body: Array(#"{"type":"batch.succeeded"}"#.utf8))
            try await harness.store.addDelivery(Delivery(ingressID: "1-1", event: event, target: endpoint))
            await health.set(true)

            var outcome: AttemptRecord.Outcome?
            try await poll(until: {
                outcome = try await harness.store.attemptLog(source: "gemini", webhookID: id).last?.record.outcome
                return outcome == .delivered || outcome == .deadLetter
            }, timeout: .seconds(30), "the backlog delivery is delivered or given up")
            #expect(outcome == .delivered, "delivered once the probe succeeded, not given up")
            #expect(try await harness.store.deadLetters().isEmpty, "nothing given up")
            let requests = await sink.requests(to: "/hook")
            #expect(requests.first { $0.header("webhook-id") == id }?.header("x-sluice-attempt") == "1")
            // It waited for the probe: no request went out until the cooldown was nearly over.
            #expect(requests.first?.header("webhook-id") == opener && requests.count >= 2)
            let quiet = requests[1].receivedAt - requests[0].receivedAt
            #expect(quiet >= .milliseconds(4_500), "the second request came \(quiet) after the circuit opened")
        }
    }

    /// A replayed dead letter gets a fresh schedule — also the patience an open circuit allows
    /// before attempt 1, which counts from the replay, not from the event's acceptance: replayed
    /// while its endpoint's circuit is still open, long after it was accepted, it waits for the
    /// circuit and is delivered, instead of going straight back to the dead letters unattempted.
    @Test func aDeadLetterReplayedWhileTheCircuitIsOpenWaitsForItInsteadOfDyingAgain() async throws {
        // Patience before an attempt under an open circuit: the schedule (0.1 s) + one cooldown
        // (2 s) = 2.1 s.
        try await withFailingEndpoint(cooldown: "2s") { sink, health, harness in
            let endpoint = EndpointRef(tenant: "acme", endpoint: "main")
            // Attempt 1 fails and opens the circuit; attempt 2 is its probe, fails, reopens it
            // and exhausts the schedule.
            let id = try await harness.post()
            let letter = try #require(try await harness.waitForDeadLetters(count: 1).first)
            #expect(letter.reason == .exhausted && letter.delivery.event.webhookID == id)
            // Replay once the event is older than that patience, while the circuit is open.
            try await poll(until: {
                Int64(Date().timeIntervalSince1970 * 1000) - letter.delivery.event.receivedAtMillis > 2_600
            }, "the event is older than the schedule and a cooldown")
            #expect(try await harness.store.openCircuits().contains { $0.endpoint == endpoint }, "replayed while the circuit is open")
            // As `sluice dlq replay` does it.
            let replayed = letter.delivery.restarted(atMillis: Int64(Date().timeIntervalSince1970 * 1000))
            #expect(try await harness.stores.replay(deadLetterID: letter.id, with: [replayed]))
            await health.set(true)

            try await poll(until: {
                // The original attempt 1, then the replay's.
                await sink.requests(to: "/hook").filter { $0.header("webhook-id") == id && $0.header("x-sluice-attempt") == "1" }.count == 2
            }, "the replayed delivery is attempted once the circuit lets a probe through")
            try await poll(until: {
                try await harness.store.attemptLog(source: "gemini", webhookID: id).last?.record.outcome == .delivered
            }, "the replay is delivered")
            #expect(try await harness.store.deadLetters().isEmpty, "not dead-lettered again")
        }
    }

    /// acme/main answering 500 until `health` says otherwise, one request at a time, its circuit
    /// opening at the first failure with `cooldown`, two attempts 0.1 s apart.
    private func withFailingEndpoint(
        cooldown: String, _ body: (Sink, EndpointHealth, WorkerHarness) async throws -> Void
    ) async throws {
        try await withSink { sink in
            let health = EndpointHealth(healthy: false)
            await sink.respond(to: "/hook") { _ in await health.healthy ? .ok : .status(500) }
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
                    max_in_flight: 1
                    circuit_breaker: {failures: 1, cooldown: \(cooldown)}
                    retry: {schedule: [0s, 100ms], jitter: 0%}
                    """)
            }) { harness in
                try await body(sink, health, harness)
            }
        }
    }

    /// The circuit gauge follows the circuit between attempts too: when routes.yaml changes the
    /// endpoint's `circuit_breaker:` (its circuit starts afresh, closed), it reads 0 within a
    /// refresh, not the 1 its last attempt left — as it does when the endpoint is removed.
    @Test func theCircuitGaugeReadsZeroOnceTheCircuitIsResetByAReload() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hook") { _ in .status(500) }
            let routes: @Sendable (String, String) -> String = { prefix, cooldown in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
                    circuit_breaker: {failures: 1, cooldown: \(cooldown)}
                    retry: {schedule: [0s, 1h], jitter: 0%}
                    """)
            }
            try await WorkerHarness.with(routes: { routes($0, "1h") }) { harness in
                try await harness.post()
                let series = #"sluice_endpoint_circuit_open{tenant="acme",endpoint="main"}"#
                try await poll(until: { MetricsText.value(of: series, in: harness.workerMetrics()) == 1 }, "the circuit opens")
                try await harness.rewriteRoutes(routes(harness.redis.prefix, "2h"))
                try await poll(until: { MetricsText.value(of: series, in: harness.workerMetrics()) == 0 }, "the reset circuit reads 0")
            }
        }
    }

    /// A worker that shuts down takes back its open-circuit reports: `sluice status` does not go
    /// on showing the circuit of a worker that is gone.
    @Test func aWorkerThatStopsWithdrawsItsCircuitReports() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hook") { _ in .status(500) }
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
                    circuit_breaker: {failures: 1, cooldown: 1h}
                    retry: {schedule: [0s, 1h], jitter: 0%}
                    """)
            }) { harness in
                try await harness.post()
                try await poll(until: { !(try await harness.store.openCircuits().isEmpty) }, "the open circuit is reported")
                await harness.beginShutdown()
                try await poll(until: { try await harness.store.openCircuits().isEmpty }, "the stopping worker withdraws its report")
            }
        }
    }
}
