import SluiceRedis
import Testing

@Suite struct FreePortTests {
    /// A server that stops for a moment (Redis killed and restarted by a test) leaves its port
    /// bindable; the port must still not be handed to the next server started in the process.
    @Test func aPortIsHandedOutOncePerProcess() throws {
        var seen = Set<Int>()
        for _ in 0..<1_000 {
            let port = try #require(FreePort.pick())
            #expect(seen.insert(port).inserted, "port \(port) handed out twice")
        }
    }
}
