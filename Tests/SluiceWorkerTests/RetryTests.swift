import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// Failed attempts are retried by the endpoint's schedule; 410 and exhaustion dead-letter.
@Suite struct RetryTests {
    /// One tenant, one endpoint at `/hook` with `retry` as its retry block.
    static func routes(prefix: String, sink: Sink, retry: String) -> String {
        WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
            retry: \(retry)
            """)
    }

    @Test func failedAttemptsAreRetriedWithTheSameWebhookID() async throws {
        try await withSink { sink in
            await sink.enqueue(.status(500), .status(500), .ok, for: "/hook")
            try await WorkerHarness.with(routes: {
                Self.routes(prefix: $0, sink: sink, retry: "{schedule: [0s, 100ms, 100ms], jitter: 0%}")
            }) { harness in
                let id = try await harness.post()
                let requests = try await sink.waitForRequests(count: 3, path: "/hook")
                #expect(requests.map { $0.header("x-sluice-attempt") } == ["1", "2", "3"])
                #expect(requests.allSatisfy { $0.header("webhook-id") == id })
                #expect(requests.allSatisfy { TenantSecrets.verifies($0, with: TenantSecrets.acme) })

                var log: [LoggedAttempt] = []
                try await poll(until: {
                    log = try await harness.store.attemptLog(source: "gemini", webhookID: id)
                    return log.count == 3
                }, "three attempts are logged")
                #expect(log.map(\.record.outcome) == [.retry, .retry, .delivered])
                #expect(log.map(\.record.status) == [500, 500, 200])
                #expect(try await harness.store.deadLetters().isEmpty)
                #expect(await sink.requests(to: "/hook").count == 3)
            }
        }
    }

    /// `schedule[0]` is the delay before attempt 1, counted from the event's acceptance.
    @Test func theFirstStepOfTheScheduleDelaysAttemptOne() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: {
                Self.routes(prefix: $0, sink: sink, retry: "{schedule: [1500ms, 100ms], jitter: 0%}")
            }) { harness in
                let posted = ContinuousClock.now
                let id = try await harness.post()
                let requests = try await sink.waitForRequests(count: 1, path: "/hook")
                let delay = requests[0].receivedAt - posted
                #expect(delay >= .milliseconds(1450), "attempt 1 waited for the first step (after \(delay))")
                #expect(requests[0].header("x-sluice-attempt") == "1" && requests[0].header("webhook-id") == id)
                try await poll(until: {
                    try await harness.store.attemptLog(source: "gemini", webhookID: id).map(\.record.outcome) == [.delivered]
                }, "one attempt, delivered: waiting is not an attempt")
            }
        }
    }

    @Test func retryAfterDelaysTheNextAttempt() async throws {
        try await withSink { sink in
            await sink.enqueue(.status(429, headers: [("retry-after", "1")]), .ok, for: "/hook")
            try await WorkerHarness.with(routes: {
                Self.routes(prefix: $0, sink: sink, retry: "{schedule: [0s, 100ms, 2s], jitter: 0%}")
            }) { harness in
                try await harness.post()
                let requests = try await sink.waitForRequests(count: 2, path: "/hook")
                let gap = requests[1].receivedAt - requests[0].receivedAt
                #expect(gap >= .milliseconds(950), "Retry-After: 1 was honoured (gap \(gap))")
                #expect(requests[1].header("x-sluice-attempt") == "2")
            }
        }
    }

    /// An endpoint's answer must not crash the worker: a Retry-After date in year 300000000
    /// overflowed the date arithmetic, and every worker that reclaimed the delivery died on it.
    @Test func aRetryAfterDatePastYear9999IsIgnored() async throws {
        try await withSink { sink in
            await sink.enqueue(
                .status(503, headers: [("retry-after", "Sun, 06 Nov 300000000 08:49:37 GMT")]),
                .status(429, headers: [("retry-after", "Sun, 06 Nov 9000000000000000000 08:49:37 GMT")]), .ok, for: "/hook")
            try await WorkerHarness.with(routes: {
                Self.routes(prefix: $0, sink: sink, retry: "{schedule: [0s, 100ms, 100ms], jitter: 0%}")
            }) { harness in
                try await harness.post()
                let requests = try await sink.waitForRequests(count: 3, path: "/hook")
                #expect(requests.map { $0.header("x-sluice-attempt") } == ["1", "2", "3"])
            }
        }
    }

    @Test func goneDeadLettersAtOnceAfterOneRequest() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hook", with: .status(410))
            try await WorkerHarness.with(routes: {
                Self.routes(prefix: $0, sink: sink, retry: "{schedule: [0s, 100ms, 100ms], jitter: 0%}")
            }) { harness in
                let id = try await harness.post()
                let dead = try await harness.waitForDeadLetters(count: 1)
                #expect(dead[0].reason == .gone)
                #expect(dead[0].lastStatus == 410)
                #expect(dead[0].attempts == 1)
                #expect(dead[0].delivery.event.webhookID == id)
                #expect(await sink.requests(to: "/hook").count == 1)
            }
        }
    }

    @Test func exhaustedScheduleDeadLettersWithTheLastStatus() async throws {
        try await withSink { sink in
            await sink.enqueue(.status(500), .status(502), for: "/hook")
            await sink.respond(to: "/hook", with: .status(503))
            try await WorkerHarness.with(routes: {
                Self.routes(prefix: $0, sink: sink, retry: "{schedule: [0s, 100ms, 100ms], jitter: 0%}")
            }) { harness in
                try await harness.post()
                let dead = try await harness.waitForDeadLetters(count: 1)
                #expect(dead[0].reason == .exhausted)
                #expect(dead[0].lastStatus == 503)
                #expect(dead[0].lastError == "HTTP 503")
                #expect(dead[0].attempts == 3)
                #expect(await sink.requests(to: "/hook").count == 3)
            }
        }
    }
}
