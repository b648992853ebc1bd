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
    /// about 20 a second). Judged against the time that passed, not the tries made, since a busy
    /// machine can delay the tries too.
    @Test func aRedisOutageIsLoggedOnceAndThenAtIntervalsNotOnEveryTry() async throws {
        let capture = LogCapture()
        let logger = capture.logger(label: "sluice.test.mover")
        // Nothing listens on port 1: every command fails.
        let client = RedisClient(url: try RedisURL("redis://127.0.0.1:1"), logger: Logger(label: "sluice.test.redis"))
        defer { client.shutdown() }
        let store = WorkerStore(client: client, blockingClient: client, keyspace: Keyspace(prefix: "mover"))
        let repeatEvery = Duration.milliseconds(300)
        let mover = RetryMover(
            store: store, state: WorkerState(routes: RoutesConfig()), maxInFlight: 64, partitions: { 1 }, logger: logger,
            clock: { Date() }, releaseInterval: .milliseconds(2), repeatLogEvery: repeatEvery)
        let started = ContinuousClock.now
        let running = Task { try await mover.run() }
        defer { running.cancel() }
        func failuresReported() -> Int {
            capture.text.split(separator: "\n").filter { $0.contains("cannot move due retries or release waiting deliveries; still retrying") }
                .compactMap { $0.split(separator: " ").first { $0.hasPrefix("failures=") }.flatMap { Int($0.dropFirst(9)) } }.max() ?? 0
        }
        try await poll(until: { failuresReported() >= 5 }, timeout: .seconds(60), "five failed tries reported")
        let elapsed = ContinuousClock.now - started
        running.cancel()
        let lines = capture.text.split(separator: "\n").filter { $0.contains("cannot move due retries") }
        #expect(lines.filter { !$0.contains("still") }.count == 1, "\(capture.text)")
        // One line to begin with, then one per interval at most (and one of slack for the last).
        #expect(Double(lines.count) <= 2 + elapsed / repeatEvery, "\(lines.count) lines in \(elapsed): \(capture.text)")
    }
}
