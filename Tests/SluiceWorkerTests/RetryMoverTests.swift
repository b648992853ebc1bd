import Foundation
import Logging
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@testable import SluiceWorker

@Suite("The retry mover")
struct RetryMoverTests {
    /// Through a Redis outage the mover tries again every few milliseconds; it says so once, then
    /// at most once per `repeatLogEvery` with how many tries failed (it wrote a line per try,
    /// about 20 a second).
    @Test func aRedisOutageIsLoggedOnceAndThenAtIntervalsNotOnEveryTry() async throws {
        let capture = LogCapture()
        let logger = capture.logger(label: "sluice.test.mover")
        // Nothing listens on port 1: every command fails at once.
        let client = RedisClient(url: try RedisURL("redis://127.0.0.1:1"), logger: Logger(label: "sluice.test.redis"))
        defer { client.shutdown() }
        let store = WorkerStore(client: client, blockingClient: client, keyspace: Keyspace(prefix: "mover"))
        let mover = RetryMover(
            store: store, state: WorkerState(routes: RoutesConfig()), maxInFlight: 64, partitions: { 1 }, logger: logger,
            clock: { Date() }, releaseInterval: .milliseconds(2), repeatLogEvery: .milliseconds(300))
        let running = Task { try await mover.run() }
        defer { running.cancel() }
        try await poll(until: { capture.text.contains("still cannot move due retries") }, timeout: .seconds(20), "the outage is logged again")
        running.cancel()
        let lines = capture.text.split(separator: "\n")
        let first = lines.filter { $0.contains("cannot move due retries") && !$0.contains("still") }
        let repeated = try #require(lines.first { $0.contains("still cannot move due retries") })
        #expect(first.count == 1, "\(capture.text)")
        let failures = try #require(repeated.split(separator: " ").first { $0.hasPrefix("failures=") }.flatMap { Int($0.dropFirst(9)) })
        #expect(failures > lines.count, "\(failures) failed tries, \(lines.count) lines: \(capture.text)")
    }
}
