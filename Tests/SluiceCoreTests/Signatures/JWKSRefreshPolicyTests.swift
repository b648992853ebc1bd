import Testing

@testable import SluiceCore

@Suite struct JWKSRefreshPolicyTests {
    @Test(arguments: [
        ("max-age=300", Int64?.some(300)),
        ("public, max-age=3600, must-revalidate", 3600),
        ("Public, Max-Age = 120", 120),
        ("max-age=\"90\"", 90),
        ("no-store", 0),
        ("private, no-cache", 0),
        ("max-age=-5", nil),
        ("max-age=soon", nil),
        // RFC 9111: too large to hold is 2^31 seconds (it read as absent: 10 minutes).
        ("max-age=99999999999999999999", Int64(1) << 31),
        ("public", nil),
    ])
    func maxAgeIsReadFromCacheControl(header: String, expected: Int64?) {
        #expect(JWKSRefreshPolicy.maxAge(fromCacheControl: header) == expected)
    }

    @Test func missingCacheControlHasNoMaxAge() {
        #expect(JWKSRefreshPolicy.maxAge(fromCacheControl: nil) == nil)
    }

    @Test func firstUseFetchesAndAFetchedSetStaysFreshForItsMaxAge() {
        var policy = JWKSRefreshPolicy()
        #expect(policy.shouldFetch(now: 1000))
        let claimed1 = policy.claimFetch(now: 1000, afterMiss: false)
        #expect(claimed1)
        let claimed2 = policy.claimFetch(now: 1000, afterMiss: false)
        #expect(!claimed2)  // one fetch at a time
        policy.recordFetch(now: 1001, maxAge: nil)
        #expect(policy.isFresh(now: 1600))
        #expect(!policy.shouldFetch(now: 1600))
        #expect(!policy.isFresh(now: 1601))
        #expect(policy.shouldFetch(now: 1601))
    }

    @Test func cacheControlMaxAgeOverridesTheDefault() {
        var policy = JWKSRefreshPolicy()
        _ = policy.claimFetch(now: 0, afterMiss: false)
        policy.recordFetch(now: 0, maxAge: 3600)
        #expect(!policy.shouldFetch(now: 3599))
        #expect(policy.shouldFetch(now: 3600))
    }

    @Test func missesRefetchAtMostOncePerMinute() {
        var policy = JWKSRefreshPolicy()
        _ = policy.claimFetch(now: 0, afterMiss: false)
        policy.recordFetch(now: 0, maxAge: 600)
        #expect(!policy.mayRefetchAfterMiss(now: 59))
        let claimed3 = policy.claimFetch(now: 60, afterMiss: true)
        #expect(claimed3)
        policy.recordFetch(now: 61, maxAge: 600)
        let claimed4 = policy.claimFetch(now: 119, afterMiss: true)
        #expect(!claimed4)
        #expect(policy.retryAfterSeconds(now: 119) == 2)  // counted from when the last fetch finished
        let claimed5 = policy.claimFetch(now: 121, afterMiss: true)
        #expect(claimed5)
    }

    @Test func failedFetchesAreRetriedAtMostOncePerMinuteAndKeepTheOldSet() {
        var policy = JWKSRefreshPolicy()
        _ = policy.claimFetch(now: 0, afterMiss: false)
        policy.recordFetch(now: 0, maxAge: 100)
        let claimed6 = policy.claimFetch(now: 100, afterMiss: false)
        #expect(claimed6)
        policy.recordFailure(now: 101)
        #expect(policy.freshUntil == 100)
        #expect(!policy.shouldFetch(now: 150))
        #expect(policy.retryAfterSeconds(now: 150) == 11)
        #expect(policy.shouldFetch(now: 161))
    }

    @Test func abandonedFetchStopsBlockingAfterOneInterval() {
        var policy = JWKSRefreshPolicy()
        let claimed7 = policy.claimFetch(now: 0, afterMiss: false)
        #expect(claimed7)
        let claimed8 = policy.claimFetch(now: 59, afterMiss: true)
        #expect(!claimed8)
        let claimed9 = policy.claimFetch(now: 60, afterMiss: true)
        #expect(claimed9)
    }

    /// A set whose last fetch failed may lack keys published since: the edge answers 503, not
    /// 401, for a key it does not hold, until a fetch succeeds again.
    @Test func aFailedFetchMarksTheCachedSetAsNotCurrentUntilTheNextSuccess() {
        var policy = JWKSRefreshPolicy()
        let first = policy.claimFetch(now: 0, afterMiss: false)
        #expect(first)
        policy.recordFetch(now: 0, maxAge: 600)
        #expect(!policy.lastFetchFailed)
        let expired = policy.claimFetch(now: 601, afterMiss: false)
        #expect(expired)
        policy.recordFailure(now: 601)
        #expect(policy.lastFetchFailed)
        let again = policy.claimFetch(now: 661, afterMiss: false)
        #expect(again)
        policy.recordFetch(now: 661, maxAge: 600)
        #expect(!policy.lastFetchFailed)
    }
}
