import SluiceRedis
import SluiceTesting
import Testing

/// The settings the edge's durability gate and the worker's readiness read from Redis.
@Suite struct RedisPersistenceTests {
    /// The version comes from `INFO server` in the same round trip as the settings; this
    /// machine's redis-server is 7 or later, so it is not refused.
    @Test func theVersionIsReadWithTheSettings() async throws {
        try await withRedis { redis in
            guard case .success(let settings) = await RedisPersistence.read(from: redis.client) else {
                Issue.record("the settings could not be read")
                return
            }
            let version = try #require(settings.version)
            #expect(Int(version.prefix { $0 != "." }).map { $0 >= 7 } == true, "\(version)")
            #expect(RedisPersistence.versionRefusal(version) == nil)
        }
    }

    /// Sluice's scripts need Redis 7 (the route script's `#!lua` line is a syntax error before
    /// it): an older one is refused with a reason that names its version.
    @Test func aRedisOlderThanSevenIsRefused() {
        #expect(RedisPersistence.versionRefusal("6.2.14")?.contains("Redis 6.2.14 is older than 7.0") == true)
        #expect(RedisPersistence.versionRefusal("5.0.7") != nil)
        #expect(RedisPersistence.versionRefusal("7.0.15") == nil)
        #expect(RedisPersistence.versionRefusal("7.2.4") == nil)
        #expect(RedisPersistence.versionRefusal("255.255.255") == nil, "an unstable build")
        #expect(RedisPersistence.versionRefusal("unknown") == nil, "a version that does not parse is not held against Redis")
        #expect(RedisPersistence.versionRefusal(nil) == nil)
    }
}
