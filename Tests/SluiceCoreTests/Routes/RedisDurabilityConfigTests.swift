import SluiceCore
import Testing

@Suite("redis.durability in routes.yaml")
struct RedisDurabilityConfigTests {
    @Test func durabilityDefaultsToWrite() throws {
        let config = try #require(RoutesFixtures.load(RoutesFixtures.minimal).config)
        #expect(config.redisDurability == .write)
    }

    @Test func fsyncIsRead() throws {
        let result = RoutesFixtures.load("redis: {prefix: p1, durability: fsync}\n" + RoutesFixtures.minimal)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let config = try #require(result.config)
        #expect(config.redisDurability == .fsync)
        #expect(config.redisPrefix == "p1")
    }

    @Test func unknownDurabilityIsReportedAtItsValue() {
        let result = RoutesFixtures.load("redis:\n  durability: always\n" + RoutesFixtures.minimal)
        #expect(result.config == nil)
        #expect(RoutesFixtures.located(result) == [
            "2:15: 'durability' in 'redis' must be write (202 once Redis applied the write, while it runs with appendonly yes), fsync (202 only while Redis runs with appendonly yes and appendfsync always) or none (no persistence check), not 'always'",
        ])
    }

    @Test func misspelledDurabilityKeySuggestsTheRightOne() {
        let result = RoutesFixtures.load("redis: {durabilty: fsync}\n" + RoutesFixtures.minimal)
        #expect(result.config == nil)
        #expect(RoutesFixtures.located(result).first?.hasPrefix("1:9: unknown key 'durabilty' in 'redis'; did you mean 'durability'?") == true)
    }
}
