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
            "2:15: 'durability' in 'redis' must be write (202 once Redis applied the write, while it runs with appendonly yes), fsync (202 only while Redis runs with appendonly yes and appendfsync always), replicated (202 once WAIT confirms the write reached redis.replicas replicas) or none (no persistence check), not 'always'",
        ])
    }

    @Test func replicatedReadsItsReplicaCountAndTimeout() throws {
        let result = RoutesFixtures.load("redis: {durability: replicated, replicas: 2, replica_timeout: 250ms}\n" + RoutesFixtures.minimal)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let config = try #require(result.config)
        #expect(config.redisDurability == .replicated)
        #expect(config.redisReplication == RedisReplication(replicas: 2, timeout: .milliseconds(250)))
        // Defaults: one replica, one second.
        let defaults = try #require(RoutesFixtures.load("redis: {durability: replicated}\n" + RoutesFixtures.minimal).config)
        #expect(defaults.redisReplication == RedisReplication(replicas: 1, timeout: .seconds(1)))
    }

    @Test func replicaSettingsOutsideReplicatedOrOutOfRangeAreReportedWhereTheyAre() {
        let stray = RoutesFixtures.load("redis:\n  durability: write\n  replicas: 1\n" + RoutesFixtures.minimal)
        #expect(stray.config == nil)
        #expect(RoutesFixtures.located(stray) == ["3:3: 'replicas' in 'redis' applies only with durability: replicated"])
        let zero = RoutesFixtures.load("redis:\n  durability: replicated\n  replicas: 0\n  replica_timeout: 10s\n" + RoutesFixtures.minimal)
        #expect(zero.config == nil)
        #expect(RoutesFixtures.located(zero) == [
            "3:13: 'replicas' in 'redis' must be at least 1, not 0",
            "4:20: 'replica_timeout' in 'redis' must be between 1ms and 5s (the edge holds the call that long, and its Redis connection with it)",
        ])
    }

    @Test func replicatedNeedsTheAOFAndEnoughReplicasOnline() {
        func refusal(appendOnly: String, online: Int?, required: Int = 1) -> String? {
            RedisDurability.refusal(
                required: .replicated, appendOnly: appendOnly, appendFsync: "everysec", replicasOnline: online, replicasRequired: required)
        }
        #expect(refusal(appendOnly: "yes", online: 1) == nil)
        #expect(refusal(appendOnly: "yes", online: 3, required: 2) == nil)
        #expect(refusal(appendOnly: "yes", online: 1, required: 2) == "redis.durability is replicated with redis.replicas 2 but Redis has 1 replica online")
        #expect(refusal(appendOnly: "yes", online: nil)?.contains("has 0 replicas online") == true)
        #expect(refusal(appendOnly: "no", online: 1)?.contains("appendonly no") == true)
    }

    @Test func misspelledDurabilityKeySuggestsTheRightOne() {
        let result = RoutesFixtures.load("redis: {durabilty: fsync}\n" + RoutesFixtures.minimal)
        #expect(result.config == nil)
        #expect(RoutesFixtures.located(result).first?.hasPrefix("1:9: unknown key 'durabilty' in 'redis'; did you mean 'durability'?") == true)
    }
}
