import Foundation
import SluiceCore
import SluiceTesting
import Testing

/// `rate_limit` spreads deliveries over time and loses none.
@Suite struct RateLimitTests {
    @Test func rateLimitSpreadsDeliveriesAndLosesNone() async throws {
        try await withSink { sink in
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/hook"), """
                    rate_limit: 5/s
                    retry: {schedule: [0s, 100ms, 100ms], jitter: 0%}
                    """)
            }) { harness in
                var ids: Set<String> = []
                let postingStarted = ContinuousClock.now
                for _ in 0..<15 { ids.insert(try await harness.post()) }
                let posted = ContinuousClock.now
                let requests = try await sink.waitForRequests(count: 15, path: "/hook")
                #expect(Set(requests.compactMap { $0.header("webhook-id") }) == ids)
                // A burst of 5, then 5 per second for the other 10: about 2 s from first to last.
                let spread = requests[14].receivedAt - requests[0].receivedAt
                #expect(spread >= .milliseconds(1700), "15 deliveries at 5/s took only \(spread)")
                // Nor much slower than the limit: the last arrives about 2 s after the last event was
                // accepted. The bound grows with how long posting took: beside the chart tests in a
                // full run, this process was slowed so much that posting 15 events took 6 s, and
                // delivering them took as long.
                let tail = requests[14].receivedAt - posted
                let postingTook = posted - postingStarted
                #expect(tail < .seconds(4) + postingTook, "the last delivery came \(tail) after the last event was accepted (posting took \(postingTook), deliveries spread over \(spread))")
                // In no one-second window did more than burst + rate arrive (one more for loopback latency jitter).
                for (index, request) in requests.enumerated() {
                    let window = requests[index...].prefix { $0.receivedAt - request.receivedAt < .seconds(1) }
                    #expect(window.count <= 11, "\(window.count) deliveries within one second")
                }
                #expect(requests.allSatisfy { $0.header("x-sluice-attempt") == "1" }, "waiting for a token is not an attempt")
                try await poll(until: { (try await harness.store.status()).deliveriesPending == 0 }, "nothing stays pending")
                #expect(await sink.requests(to: "/hook").count == 15)
                #expect(try await harness.store.deadLetters().isEmpty)
            }
        }
    }
}
