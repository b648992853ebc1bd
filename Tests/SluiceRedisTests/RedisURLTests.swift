import SluiceRedis
import Testing

@Suite("RedisURL")
struct RedisURLTests {
    @Test func parsesHostPortAndDatabase() throws {
        let url = try RedisURL("redis://cache.internal:6380/3")
        #expect(url.endpoint == .tcp(host: "cache.internal", port: 6380))
        #expect(url.database == 3)
        #expect(url.password == nil)
        #expect(url.username == nil)
    }

    @Test func parsesAClusterBySeedNodesAndHidesItsPassword() throws {
        let url = try RedisURL("redis+cluster://:s3cret@10.0.0.1:7000,10.0.0.2,[::1]:7002")
        #expect(url.endpoint == .cluster(seeds: [
            .init(host: "10.0.0.1", port: 7000), .init(host: "10.0.0.2", port: 6379), .init(host: "::1", port: 7002),
        ]))
        #expect(url.password == "s3cret")
        #expect(url.description == "redis+cluster://:***@10.0.0.1:7000,10.0.0.2:6379,[::1]:7002")
        #expect(throws: RedisError.self) { try RedisURL("redis+cluster://10.0.0.1:7000/2") }
        #expect(throws: RedisError.self) { try RedisURL("redis+cluster://10.0.0.1:7000,,10.0.0.2:7000") }
    }

    @Test func defaultsToPort6379AndDatabaseZero() throws {
        let url = try RedisURL("redis://127.0.0.1")
        #expect(url.endpoint == .tcp(host: "127.0.0.1", port: 6379))
        #expect(url.database == 0)
    }

    @Test func parsesPasswordOnlyAndUserPassword() throws {
        let passwordOnly = try RedisURL("redis://:s3cret@localhost:6379/1")
        #expect(passwordOnly.password == "s3cret")
        #expect(passwordOnly.username == nil)

        let userAndPassword = try RedisURL("redis://app:p%40ss@redis")
        #expect(userAndPassword.username == "app")
        #expect(userAndPassword.password == "p@ss")
        #expect(userAndPassword.endpoint == .tcp(host: "redis", port: 6379))
    }

    @Test func parsesBracketedIPv6() throws {
        let url = try RedisURL("redis://[::1]:7000")
        #expect(url.endpoint == .tcp(host: "::1", port: 7000))
        #expect(url.description == "redis://[::1]:7000")
    }

    @Test func parsesUnixSocket() throws {
        let url = try RedisURL("unix:///run/redis/redis.sock")
        #expect(url.endpoint == .unix(path: "/run/redis/redis.sock"))
        #expect(url.description == "unix:///run/redis/redis.sock")
    }

    @Test func descriptionHidesThePassword() throws {
        let url = try RedisURL("redis://app:hunter2@redis:6379/2")
        #expect(url.description == "redis://app:***@redis:6379/2")
        #expect(!"\(url)".contains("hunter2"))
        #expect(!String(reflecting: url).contains("hunter2"))
        #expect(try RedisURL("redis://:hunter2@redis").description == "redis://:***@redis:6379")
    }

    @Test(arguments: [
        "http://localhost:6379",
        "redis://",
        "redis://host:notaport",
        "redis://host:70000",
        "redis://host:6379/x",
        "unix://relative.sock",
        "redis://[::1:6379",
    ])
    func rejectsMalformedURLsWithATypedError(text: String) {
        #expect {
            _ = try RedisURL(text)
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .invalidURL && error.message.contains("expected redis://")
        }
    }

    @Test func invalidURLErrorNeverEchoesThePassword() {
        do {
            _ = try RedisURL("redis://:topsecret@host:bad")
            Issue.record("expected an error")
        } catch {
            #expect(!error.message.contains("topsecret"))
            #expect(error.message.contains("bad"))
        }
    }
}
