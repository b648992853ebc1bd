import SluiceCore
import Testing

@Suite("redis.partitions in routes.yaml")
struct RedisPartitionsConfigTests {
    @Test func partitionsDefaultToOne() throws {
        let config = try #require(RoutesFixtures.load(RoutesFixtures.minimal).config)
        #expect(config.redisPartitions == 1)
    }

    @Test func partitionsAreRead() throws {
        let result = RoutesFixtures.load("redis: {partitions: 6}\n" + RoutesFixtures.minimal)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(try #require(result.config).redisPartitions == 6)
    }

    @Test func outOfRangeCountsAreReportedAtTheirValue() {
        let zero = RoutesFixtures.load("redis:\n  partitions: 0\n" + RoutesFixtures.minimal)
        #expect(zero.config == nil)
        #expect(RoutesFixtures.located(zero) == ["2:15: 'partitions' in 'redis' must be at least 1, not 0"])
        let many = RoutesFixtures.load("redis:\n  partitions: 65\n" + RoutesFixtures.minimal)
        #expect(many.config == nil)
        #expect(RoutesFixtures.located(many) == [
            "2:15: 'partitions' in 'redis' must be at most 64 (each partition is a set of streams every worker reads), not 65",
        ])
        let text = RoutesFixtures.load("redis:\n  partitions: six\n" + RoutesFixtures.minimal)
        #expect(RoutesFixtures.located(text) == ["2:15: 'partitions' in 'redis' must be a whole number, not 'six'"])
    }
}
