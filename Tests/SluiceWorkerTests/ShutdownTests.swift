import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// SIGTERM: stop claiming, fail readiness, finish in-flight deliveries within the grace period.
@Suite struct ShutdownTests {
    @Test func inFlightDeliveryFinishesDuringGracefulShutdown() async throws {
        try await withSink { sink in
            await sink.respond(to: "/slow", with: SinkResponse(status: 200, delay: .seconds(1)))
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.routes(prefix: prefix, """
                    tenants:
                      acme:
                        signing: {secrets: ["\(TenantSecrets.acme)"]}
                        endpoints:
                          main: {url: "\(sink.url("/slow"))"}
                    routes:
                      - name: all
                        match: {source: gemini}
                        to: [acme/main]
                    """)
            }, shutdownGrace: .seconds(10)) { harness in
                let id = try await harness.post()
                _ = try await sink.waitForRequests(count: 1, path: "/slow")
                await harness.beginShutdown()
                try await poll(until: { try await harness.getMetricsPort("/readyz").status == 503 }, "readiness fails while draining")
                try await poll(until: {
                    try await harness.store.attemptLog(source: "gemini", webhookID: id).map(\.record.outcome) == [.delivered]
                }, "the in-flight attempt completes and is recorded")
                let status = try await harness.store.status()
                #expect(status.deliveriesPending == 0)
                #expect(status.retryBacklog == 0)
                #expect(await sink.requests(to: "/slow").count == 1)
            }
        }
    }

    /// Past the grace period the worker gives up its attempts in one warning that counts them and
    /// says what follows (they are sent again), not a line per delivery.
    @Test func deliveriesAbandonedAtTheEndOfTheGraceAreCountedInOneWarning() async throws {
        try await withSink { sink in
            await sink.respond(to: "/slow", with: SinkResponse(status: 200, delay: .seconds(30)))
            let logs = LogCapture()
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/slow"), "timeout: 60s\nmax_in_flight: 8")
            }, shutdownGrace: .milliseconds(300), logs: logs) { harness in
                for _ in 0..<3 { try await harness.post() }
                _ = try await sink.waitForRequests(count: 3, path: "/slow")
                await harness.beginShutdown()
                try await poll(until: { logs.text.contains("shutdown grace elapsed") }, "the grace runs out")
                let lines = logs.text.split(separator: "\n")
                let warning = lines.filter { $0.contains("shutdown grace elapsed") }
                #expect(warning.count == 1 && warning.first?.hasPrefix("warning ") == true, "\(logs.text)")
                #expect(warning.first?.contains("abandoned=3 ") == true && warning.first?.contains("grace=300ms") == true, "\(warning)")
                #expect(warning.first?.contains("sent again") == true, "\(warning)")
                #expect(lines.contains { $0.contains("draining in-flight deliveries") && $0.contains("in_flight=3") }, "\(logs.text)")
                #expect(!lines.contains { $0.contains("attempt abandoned by shutdown") }, "not one line per delivery: \(logs.text)")
            }
        }
    }

    /// A reader holding off after a full batch all for one endpoint's overflow (the overflow wait
    /// at 60 s here) stops at once on SIGTERM: the queued and overflowed deliveries are handed
    /// back and the worker exits after the grace, not after the wait.
    @Test func aReaderHoldingOffForAnOverflowStopsAtOnceOnShutdown() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hang", with: .hang)
            var stopping: ContinuousClock.Instant?
            // Room for 64: the endpoint's lane holds 16 running and 16 queued (a quarter of the
            // room), so one read of 64 deliveries fills it and leaves an overflow of a lane's worth.
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hang"), "timeout: 60s\nmax_in_flight: 16")
                    + "\nworker: {visibility_timeout: 600s}\n"
            }, overflowWait: .seconds(60), overflowResidency: .seconds(60), maxInFlight: 64) { harness in
                let fields: [RedisArgument] = [
                    "ingress_id", "1-0", "tenant", "acme", "endpoint", "main", "webhook_id", "msg_hold", "attempt", "1",
                    "source", "gemini", "ts", "1", "received_at", "1", "body", "{}",
                ]
                // In one script, so that the blocked reader gets all 64 in one read: a full batch.
                _ = try await harness.redis.client.send(
                    ["EVAL", "for i = 1, 64 do redis.call('XADD', KEYS[1], '*', unpack(ARGV)) end", 1, RedisArgument(harness.store.keyspace.deliveries)]
                        + fields)
                _ = try await sink.waitForRequests(count: 16, path: "/hang")
                stopping = .now
                await harness.beginShutdown()
            }
            let stopped = try #require(stopping).duration(to: .now)
            #expect(stopped < .seconds(30), "well inside the 60 s a reader left waiting would keep the worker running")
        }
    }
}
