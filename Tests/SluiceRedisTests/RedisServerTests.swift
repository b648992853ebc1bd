import SluiceRedis
import Testing

@Suite struct RedisServerTests {
    @Test func aServerStartedOnAPortAnotherHoldsFailsInsteadOfSharingIt() async throws {
        let first = try await RedisServer.start()
        // Two starts that picked the same free port: the second redis-server cannot bind and
        // exits, but the first answers PING there. The second start must not take it for its own.
        await #expect(throws: RedisError.self) {
            let second = try await RedisServer.start(port: first.port)
            await second.stop()
        }
        // The first server is untouched.
        let client = RedisClient(url: first.url, logger: .init(label: "test"))
        defer { client.shutdown() }
        try await client.ping()
        await first.stop()
    }
}
