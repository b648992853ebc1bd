import SluiceCore
import Testing

@Suite("An endpoint's rate limit split over partitions")
struct RateLimitShareTests {
    @Test func sharesAddUpToTheLimitAndNeverExceedIt() {
        for (count, period, partitions) in [(10, Duration.seconds(1), 6), (50, .seconds(1), 3), (1, .seconds(1), 4), (600, .seconds(60), 7)] {
            let limit = RateLimit(count: count, period: period)
            let share = limit.share(of: partitions)
            #expect(abs(share.perSecond * Double(partitions) - limit.perSecond) < 1e-9 * limit.perSecond, "\(limit) over \(partitions)")
            #expect(share.count >= 1)
            #expect(share.count <= max(1, count / partitions))
        }
    }

    @Test func onePartitionKeepsTheLimit() {
        let limit = RateLimit(count: 7, period: .seconds(2))
        #expect(limit.share(of: 1) == limit)
    }
}
