import Foundation
import SluiceCore
import SluiceTesting
import Testing

@testable import SluiceWorker

/// What an operator reads while an endpoint fails: its first failed attempt in full, then how
/// many more failed — not a line per attempt at the rate the tenant's events come.
@Suite struct RetryLogTests {
    static let main = EndpointRef(tenant: "acme", endpoint: "main")
    static let audit = EndpointRef(tenant: "acme", endpoint: "audit")

    @Test func eachEndpointsFirstFailureIsLoggedThenACountPerInterval() {
        let capture = LogCapture()
        let log = RetryLog(logger: capture.logger(label: "sluice.test.retry"), interval: .seconds(30))
        let start = ContinuousClock.now
        // 100 failures of main over 20 s, the last with another error; one of audit.
        for tick in 0..<100 {
            let error = tick == 99 ? "HTTP 503" : "HTTP 500"
            log.failed(Self.main, error: error, metadata: ["event_id": "msg_\(tick)", "endpoint": "main"], now: start + .milliseconds(200 * tick))
        }
        log.failed(Self.audit, error: "timeout", metadata: ["event_id": "msg_a", "endpoint": "audit"], now: start + .seconds(5))
        log.flush(now: start + .seconds(29))
        #expect(capture.text.split(separator: "\n").count == 2, "only the first of each endpoint so far: \(capture.text)")

        log.flush(now: start + .seconds(30))
        // audit's interval ends at 35 s with nothing more: it is forgotten, and logged at once again.
        log.flush(now: start + .seconds(36))
        log.failed(Self.audit, error: "timeout", metadata: ["event_id": "msg_b", "endpoint": "audit"], now: start + .seconds(40))

        let lines = capture.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(capture.text)")
        guard lines.count == 4 else { return }
        #expect(lines[0].hasPrefix("info attempt failed; retrying") && lines[0].contains("event_id=msg_0"))
        #expect(lines[1].hasPrefix("info attempt failed; retrying") && lines[1].contains("event_id=msg_a"))
        #expect(lines[2].hasPrefix("info more attempts failed; retrying"))
        #expect(lines[2].contains("count=99") && lines[2].contains("endpoint=main") && lines[2].contains("tenant=acme"), "\(lines[2])")
        #expect(lines[2].contains("last_error=HTTP 503") && lines[2].contains("over=30s"), "\(lines[2])")
        #expect(lines[3].contains("event_id=msg_b"))
    }

    /// A worker whose endpoint fails every attempt: one line for the first, the rest counted.
    @Test func aWorkerLogsAFailingEndpointOnceNotPerAttempt() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hook", with: .status(500))
            let capture = LogCapture()
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
                    retry: {schedule: [0s, 50ms, 50ms, 50ms], jitter: 0%}
                    circuit_breaker: {failures: 100}
                    """)
            }, logs: capture) { harness in
                for _ in 0..<5 { try await harness.post() }
                // Four attempts each; the last one dead-letters, the three before it are retries.
                _ = try await harness.waitForDeadLetters(count: 5)
                #expect(await sink.requests(to: "/hook").count == 20)
            }
            let lines = capture.text.split(separator: "\n")
            #expect(lines.filter { $0.contains("attempt failed; retrying") }.count == 1, "\(capture.text)")
            // The other 14 retried attempts, counted and logged when the worker stopped.
            let counted = lines.filter { $0.contains("more attempts failed; retrying") }
            #expect(counted.count == 1 && counted.first?.contains("count=14") == true, "\(capture.text)")
            #expect(lines.filter { $0.contains("delivery dead-lettered") }.count == 5)
        }
    }

    @Test func whatWasCountedIsLoggedAtShutdown() {
        let capture = LogCapture()
        let log = RetryLog(logger: capture.logger(label: "sluice.test.retry"), interval: .seconds(30))
        let start = ContinuousClock.now
        for tick in 0..<3 {
            log.failed(Self.main, error: "HTTP 500", metadata: ["event_id": "msg_\(tick)"], now: start + .seconds(tick))
        }
        log.flush(now: start + .seconds(5), all: true)
        let lines = capture.text.split(separator: "\n")
        #expect(lines.count == 2, "\(capture.text)")
        #expect(lines.last?.contains("count=2") == true && lines.last?.contains("over=5s") == true, "\(capture.text)")
    }
}
