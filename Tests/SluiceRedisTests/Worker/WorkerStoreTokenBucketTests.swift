import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// `rate_limit` holds per endpoint across every worker: the bucket is one Redis key per endpoint,
/// whichever worker takes from it.
@Suite struct WorkerStoreTokenBucketTests {
    @Test func workersOnTheirOwnConnectionsShareOneBucketPerEndpoint() async throws {
        try await withRedis { redis in
            // Two workers: each its own clients, as two processes would have.
            let workers = (0..<2).map { _ in
                WorkerStores(url: redis.url, prefix: redis.prefix, count: 1, logger: redis.logger)
            }
            defer { for worker in workers { worker.shutdown() } }
            let main = EndpointRef(tenant: "acme", endpoint: "main")
            let other = EndpointRef(tenant: "acme", endpoint: "other")
            // An hour's period: the bucket key expires a period after its last use, so a shorter one
            // could vanish (and come back full) while a loaded machine runs the test.
            let limit = RateLimit(count: 5, period: .seconds(3600))
            let now: Int64 = 1_700_000_000_000

            // Taking turns at one instant: five tokens in all, not five each.
            var granted = 0
            for turn in 0..<10 {
                if try await workers[turn % 2].store(0).takeToken(endpoint: main, limit: limit, nowMillis: now) == nil { granted += 1 }
            }
            #expect(granted == 5)
            let wait = try await workers[1].store(0).takeToken(endpoint: main, limit: limit, nowMillis: now)
            #expect(wait == TokenRefusal(wait: .milliseconds(720_000)), "one token comes back every 12 minutes")

            // Another endpoint has a bucket of its own, and a token returns for either worker.
            #expect(try await workers[0].store(0).takeToken(endpoint: other, limit: limit, nowMillis: now) == nil)
            #expect(try await workers[0].store(0).takeToken(endpoint: main, limit: limit, nowMillis: now + 720_000) == nil)
            #expect(try await workers[1].store(0).takeToken(endpoint: main, limit: limit, nowMillis: now + 720_000) != nil)
        }
    }

    /// While the endpoint's waiting line holds deliveries, a new one gets no token, whatever the
    /// bucket holds: it goes behind them. The refusal says whether the bucket had a token for each
    /// of them all the same (the line is only about to be let out) or not (the endpoint is short
    /// of tokens — an empty bucket, or a backlog longer than its tokens — which the worker
    /// remembers so that later deliveries join the line directly).
    @Test func aDeliveryBehindALineIsRefusedAndToldWhetherTheBucketHadATokenAllTheSame() async throws {
        try await withRedis { redis in
            let stores = WorkerStores(url: redis.url, prefix: redis.prefix, count: 1, logger: redis.logger)
            defer { stores.shutdown() }
            let store = stores.store(0)
            let main = EndpointRef(tenant: "acme", endpoint: "main")
            let limit = RateLimit(count: 2, period: .seconds(3600))
            let now: Int64 = 1_700_000_000_000
            _ = try await store.client.send(["RPUSH", RedisArgument(store.keyspace.waitingLine(endpoint: main)), "a waiting delivery"])

            let refill = TokenRefusal(wait: .milliseconds(1_800_000), behindLine: true)
            #expect(try await store.takeToken(endpoint: main, limit: limit, nowMillis: now) == refill)
            #expect(try await store.takeToken(endpoint: main, limit: limit, nowMillis: now) == refill, "no token was taken")
            // Three waiting for two tokens: a backlog.
            let line = RedisArgument(store.keyspace.waitingLine(endpoint: main))
            _ = try await store.client.send(["RPUSH", line, "a second", "a third"])
            #expect(try await store.takeToken(endpoint: main, limit: limit, nowMillis: now) == TokenRefusal(wait: .milliseconds(1_800_000)))

            _ = try await store.client.send(["DEL", RedisArgument(store.keyspace.waitingLine(endpoint: main))])
            for _ in 0..<2 { #expect(try await store.takeToken(endpoint: main, limit: limit, nowMillis: now) == nil) }
            _ = try await store.client.send(["RPUSH", RedisArgument(store.keyspace.waitingLine(endpoint: main)), "a waiting delivery"])
            #expect(try await store.takeToken(endpoint: main, limit: limit, nowMillis: now) == TokenRefusal(wait: .milliseconds(1_800_000)))
        }
    }
}
