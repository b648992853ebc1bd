import SluiceTesting
import Testing

@testable import SluiceCore

@Suite struct RetryPolicyTests {
    let schedule: [Duration] = [.zero, .seconds(5), .seconds(300), .seconds(1800)]

    @Test func scheduleStepIsTheDelayBeforeTheNextAttemptWithoutJitter() {
        let policy = RetryPolicy(schedule: schedule, jitter: 0)
        var rng = SeededRandom(seed: 1)
        #expect(policy.attemptCount == 4)
        #expect(policy.delay(beforeAttempt: 1, retryAfter: nil, random: &rng) == .zero)
        #expect(policy.delay(beforeAttempt: 2, retryAfter: nil, random: &rng) == .seconds(5))
        #expect(policy.delay(beforeAttempt: 4, retryAfter: nil, random: &rng) == .seconds(1800))
    }

    @Test func attemptsBeyondTheScheduleAreExhausted() {
        let policy = RetryPolicy(RetryConfig(schedule: schedule, jitter: 0.2))
        var rng = SeededRandom(seed: 1)
        #expect(policy.delay(beforeAttempt: 5, retryAfter: nil, random: &rng) == nil)
        #expect(policy.delay(beforeAttempt: 0, retryAfter: nil, random: &rng) == nil)
        #expect(RetryPolicy(schedule: [], jitter: 0).delay(beforeAttempt: 1, retryAfter: nil, random: &rng) == nil)
    }

    @Test func jitterStaysWithinTheFractionAndSpreadsBothWays() {
        let policy = RetryPolicy(schedule: [.seconds(100)], jitter: 0.2)
        var rng = SeededRandom(seed: 42)
        let delays = (0..<2000).map { _ in policy.delay(beforeAttempt: 1, retryAfter: nil, random: &rng)! }
        #expect(delays.allSatisfy { $0 >= .seconds(80) && $0 <= .seconds(120) })
        #expect(delays.contains { $0 < .seconds(85) })
        #expect(delays.contains { $0 > .seconds(115) })
        #expect(Set(delays).count > 1000)
    }

    @Test func sameSeedGivesSameDelays() {
        let policy = RetryPolicy(schedule: schedule, jitter: 0.2)
        var first = SeededRandom(seed: 7)
        var second = SeededRandom(seed: 7)
        let a = (1...4).map { policy.delay(beforeAttempt: $0, retryAfter: nil, random: &first) }
        let b = (1...4).map { policy.delay(beforeAttempt: $0, retryAfter: nil, random: &second) }
        #expect(a == b)
    }

    @Test func fullJitterNeverGoesNegative() {
        let policy = RetryPolicy(schedule: [.seconds(1)], jitter: 5)
        var rng = SeededRandom(seed: 3)
        for _ in 0..<500 {
            let delay = policy.delay(beforeAttempt: 1, retryAfter: nil, random: &rng)!
            #expect(delay >= .zero && delay <= .seconds(2))
        }
    }

    @Test func retryAfterIsAFloorCappedAtTheLargestStep() {
        let policy = RetryPolicy(schedule: schedule, jitter: 0)
        var rng = SeededRandom(seed: 1)
        // Larger than the step: wins.
        #expect(policy.delay(beforeAttempt: 2, retryAfter: .seconds(60), random: &rng) == .seconds(60))
        // Smaller than the step: the step wins.
        #expect(policy.delay(beforeAttempt: 3, retryAfter: .seconds(60), random: &rng) == .seconds(300))
        // Beyond the largest step: capped.
        #expect(policy.delay(beforeAttempt: 2, retryAfter: .seconds(86_400), random: &rng) == .seconds(1800))
    }

    @Test func retryAfterIsNotJitteredBelow() {
        let policy = RetryPolicy(schedule: [.seconds(10), .seconds(10)], jitter: 0.5)
        var rng = SeededRandom(seed: 9)
        for _ in 0..<200 {
            let delay = policy.delay(beforeAttempt: 2, retryAfter: .seconds(10), random: &rng)!
            #expect(delay >= .seconds(10) && delay <= .seconds(15))
        }
    }

    @Test func spanIsTheWholeScheduleAtItsLargestJitter() {
        #expect(RetryPolicy(schedule: [.zero, .seconds(5), .seconds(300)], jitter: 0).span == .seconds(305))
        #expect(RetryPolicy(schedule: [.zero, .seconds(5), .seconds(300)], jitter: 0.2).span == .seconds(366))
        #expect(RetryPolicy(schedule: [], jitter: 0.2).span == .zero)
        // Three million century-long steps overflow Int64's milliseconds; the span saturates.
        let absurd = RetryPolicy(schedule: Array(repeating: .seconds(36_500 * 86_400), count: 3_000_000), jitter: 1)
        #expect(absurd.span >= .seconds(9_000_000_000_000_000 / 1000))
    }
}
