import NIOCore
import NIOPosix
import SluiceRedis
import SluiceTesting
import Testing

@Suite("RedisLoopConnections: one connection per event loop")
struct RedisLoopConnectionsTests {
    @Test func eachLoopGetsItsOwnConnectionAndCloseFailsLaterCommands() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        try await withRedis { redis async throws in
            let loops = Array(group.makeIterator())
            let connections = RedisLoopConnections(url: redis.url, logger: testLogger)
            connections.prepare(group)

            let first = connections.connection(on: loops[0])
            let second = connections.connection(on: loops[1])
            #expect(first === connections.connection(on: loops[0]))
            #expect(first !== second)
            #expect(first.eventLoop === loops[0])
            #expect(second.eventLoop === loops[1])
            #expect(try await first.send(["PING"]) == .status("PONG"))
            #expect(try await second.send(["PING"]) == .status("PONG"))

            await connections.close()
            for connection in [first, second, connections.connection(on: MultiThreadedEventLoopGroup.singleton.next())] {
                do throws(RedisError) {
                    _ = try await connection.send(["PING"])
                    Issue.record("expected a shutdown error after close()")
                } catch {
                    #expect(error.kind == .clientShutdown)
                }
            }
        }
        try await group.shutdownGracefully()
    }
}
