import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// A slow or hanging endpoint holds only its own slots.
@Suite struct IsolationTests {
    /// Every event goes to a hanging endpoint (`/hang`, 120 s timeout) and a healthy one (`/ok`).
    static func stuckAndHealthy(prefix: String, sink: Sink, stuckMaxInFlight: Int) -> String {
        WorkerHarness.routes(prefix: prefix, """
            tenants:
              stuck:
                signing: {secrets: ["\(TenantSecrets.ops)"]}
                endpoints:
                  hook: {url: "\(sink.url("/hang"))", timeout: 120s, max_in_flight: \(stuckMaxInFlight)}
              acme:
                signing: {secrets: ["\(TenantSecrets.acme)"]}
                endpoints:
                  main: {url: "\(sink.url("/ok"))"}
            routes:
              - name: all
                match: {source: gemini}
                to: [stuck/hook, acme/main]
            """)
    }

    @Test func hangingEndpointDoesNotDelayAHealthyOne() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hang", with: .hang)
            try await WorkerHarness.with(routes: { Self.stuckAndHealthy(prefix: $0, sink: sink, stuckMaxInFlight: 2) }) { harness in
                let started = ContinuousClock.now
                for _ in 0..<20 { try await harness.post() }
                // Well inside the hanging endpoint's 120 s timeout, which anything waiting for its
                // slots would have to outlast; the margin is for a busy CI machine (a healthy
                // endpoint once took 28.7 s there).
                let healthy = try await sink.waitForRequests(count: 20, path: "/ok", timeout: .seconds(60))
                #expect(Set(healthy.compactMap { $0.header("webhook-id") }).count == 20)
                #expect(ContinuousClock.now - started < .seconds(60))
                // max_in_flight: 2, and no attempt has timed out yet, so only two reached it.
                #expect(await sink.requests(to: "/hang").count == 2)
            }
        }
    }

    /// A full lane's overflow waits apart from the reader: with the overflow wait and residency at 60 s here,
    /// a reader that waited for the hanging endpoint's lane after a batch it refused would hold
    /// every later event's healthy delivery a minute; they arrive at once.
    @Test func aFullLanesOverflowDoesNotHoldUpOtherEndpointsDeliveries() async throws {
        try await withSink { sink in
            await sink.respond(to: "/hang", with: .hang)
            try await WorkerHarness.with(routes: { Self.stuckAndHealthy(prefix: $0, sink: sink, stuckMaxInFlight: 1) }, overflowWait: .seconds(60), overflowResidency: .seconds(60)) { harness in
                // The hanging endpoint's lane is full (one in flight, no queue at a 120 s timeout),
                // so the second event's delivery to it is refused; once that event's healthy
                // delivery has arrived, the batch that carried it has been handed to the lanes.
                try await harness.post()
                _ = try await sink.waitForRequests(count: 1, path: "/hang")
                try await harness.post()
                _ = try await sink.waitForRequests(count: 2, path: "/ok")
                let posted = ContinuousClock.now
                for _ in 0..<5 { try await harness.post() }
                _ = try await sink.waitForRequests(count: 7, path: "/ok", timeout: .seconds(50))
                #expect(ContinuousClock.now - posted < .seconds(50), "well inside the 60 s a waiting reader would hold them")
                #expect(await sink.requests(to: "/hang").count == 1)
            }
        }
    }

    /// `max_in_flight` bounds requests: the next delivery goes as soon as the endpoint has
    /// answered, while the previous one's result is still being recorded (Redis writes paused
    /// here). Places held until the record was written let an endpoint take only a fraction of
    /// the requests its limit allows, a round trip to Redis each.
    @Test func anEndpointsPlaceIsFreeOnceItsRequestEndsNotOnceItsResultIsRecorded() async throws {
        let first = HeldFirst()
        try await withSink { sink in
            await sink.respond(to: "/one") { _ in
                await first.arrive()
                return .ok
            }
            try await WorkerHarness.with(routes: { prefix in
                WorkerHarness.acmeMain(prefix: prefix, url: sink.url("/one"), "max_in_flight: 1")
            }) { harness in
                let deliveries = harness.redis.keyspace.deliveries
                func pending() async throws -> Int {
                    let reply = try await harness.redis.client.send(["XPENDING", RedisArgument(deliveries), RedisArgument(Keyspace.deliveryGroup)])
                    return Int(reply.array?.first?.int ?? -1)
                }
                try await harness.post()
                try await harness.post()
                // The first request is held at the endpoint; both deliveries are claimed by the worker.
                _ = try await sink.waitForRequests(count: 1, path: "/one")
                try await poll(until: { try await pending() == 2 }, "both deliveries claimed")
                #expect(await sink.requests(to: "/one").count == 1)

                _ = try await harness.redis.client.send(["CLIENT", "PAUSE", 60_000, "WRITE"])
                do {
                    await first.open()
                    // The second request arrives while the first one's result cannot be written.
                    _ = try await sink.waitForRequests(count: 2, path: "/one")
                    #expect(try await pending() == 2)
                } catch {
                    _ = try? await harness.redis.client.send(["CLIENT", "UNPAUSE"])
                    throw error
                }
                _ = try await harness.redis.client.send(["CLIENT", "UNPAUSE"])
                try await poll(until: { try await pending() == 0 }, "both results recorded")
                #expect(await sink.requests(to: "/one").count == 2)
            }
        }
    }
}
