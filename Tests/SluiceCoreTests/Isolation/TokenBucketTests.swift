import Testing

@testable import SluiceCore

@Suite struct TokenBucketTests {
    @Test func fullBucketAllowsABurstOfN() {
        var bucket = TokenBucket(limit: RateLimit(count: 5, period: .seconds(1)), nowMillis: 0)
        for _ in 0..<5 { let wait1 = bucket.take(nowMillis: 0); #expect(wait1 == nil) }
        let wait2 = bucket.take(nowMillis: 0)
        #expect(wait2 == .milliseconds(200))
    }

    /// `sluice status` and the console rebuild buckets from Redis's `u` and `t`: a `t` at Int64's
    /// edge (written by hand) overflowed the elapsed time and crashed both.
    @Test func aLastUpdateAtInt64sEdgesCountsAsAFullPeriodOrNothing() {
        let long = TokenBucket(capacity: 5, periodMillis: 1000, units: 0, updatedAtMillis: .min)
        #expect(long.waitMillis(nowMillis: 1_800_000_000_000) == nil, "a period or more has passed: full")
        let future = TokenBucket(capacity: 5, periodMillis: 1000, units: 0, updatedAtMillis: .max)
        #expect(future.waitMillis(nowMillis: -1_800_000_000_000) == 200, "nothing has passed: empty")
    }

    @Test func waitShrinksAsTimePassesAndATokenArrivesOnTime() {
        var bucket = TokenBucket(limit: RateLimit(count: 5, period: .seconds(1)), nowMillis: 0)
        for _ in 0..<5 { _ = bucket.take(nowMillis: 0) }
        let wait3 = bucket.take(nowMillis: 150)
        #expect(wait3 == .milliseconds(50))
        let wait4 = bucket.take(nowMillis: 199)
        #expect(wait4 == .milliseconds(1))
        let wait5 = bucket.take(nowMillis: 200)
        #expect(wait5 == nil)
        let wait6 = bucket.take(nowMillis: 200)
        #expect(wait6 == .milliseconds(200))
    }

    @Test func sustainedRateMatchesTheLimit() {
        var bucket = TokenBucket(limit: RateLimit(count: 50, period: .seconds(1)), nowMillis: 0)
        var granted = 0
        for now in stride(from: Int64(0), to: 10_000, by: 1) {
            while bucket.take(nowMillis: now) == nil { granted += 1 }
        }
        // Burst of 50, then 50 per second for the remaining 9.999 s.
        #expect(granted == 50 + 499)
    }

    @Test func refillNeverExceedsTheBurst() {
        var bucket = TokenBucket(limit: RateLimit(count: 3, period: .seconds(60)), nowMillis: 0)
        _ = bucket.take(nowMillis: 0)
        var granted = 0
        while bucket.take(nowMillis: 10_000_000) == nil { granted += 1 }
        #expect(granted == 3)
    }

    @Test func slowRatesRoundTheWaitUp() {
        var bucket = TokenBucket(limit: RateLimit(count: 3, period: .seconds(10)), nowMillis: 0)
        for _ in 0..<3 { _ = bucket.take(nowMillis: 0) }
        // One token per 3333.33 ms: waiting 3333 ms would be too early.
        let wait7 = bucket.take(nowMillis: 0)
        #expect(wait7 == .milliseconds(3334))
        let wait8 = bucket.take(nowMillis: 3_334)
        #expect(wait8 == nil)
    }

    @Test func clockGoingBackwardsAddsNothing() {
        var bucket = TokenBucket(limit: RateLimit(count: 1, period: .seconds(1)), nowMillis: 5_000)
        let wait9 = bucket.take(nowMillis: 5_000)
        #expect(wait9 == nil)
        let wait10 = bucket.take(nowMillis: 4_000)
        #expect(wait10 == .milliseconds(1000))
    }

    @Test func aStoredBucketIsReadWithoutTakingAToken() {
        var taken = TokenBucket(limit: RateLimit(count: 2, period: .seconds(1)), nowMillis: 0)
        _ = taken.take(nowMillis: 0)
        _ = taken.take(nowMillis: 0)
        // What the Redis hash holds after two takes: no credit, updated at 0.
        let stored = TokenBucket(capacity: 2, periodMillis: 1000, units: taken.units, updatedAtMillis: taken.updatedAtMillis)
        #expect(stored.waitMillis(nowMillis: 100) == 400)
        #expect(stored.waitMillis(nowMillis: 100) == 400, "reading takes nothing")
        #expect(stored.waitMillis(nowMillis: 500) == nil)
        // Garbage in the hash is clamped rather than trusted.
        #expect(TokenBucket(capacity: 2, periodMillis: 1000, units: 1 << 40, updatedAtMillis: 0).units == 2000)
    }

    @Test func scriptArgumentsCarryCapacityPeriodAndNow() {
        let bucket = TokenBucket(limit: RateLimit(count: 50, period: .seconds(1)), nowMillis: 0)
        #expect(bucket.scriptArguments(nowMillis: 42) == ["50", "1000", "42"])
        #expect(TokenBucket.luaSource.contains("HMGET"))
    }
}
