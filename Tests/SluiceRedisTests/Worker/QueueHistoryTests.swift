import SluiceRedis
import SluiceTesting
import Testing

@Suite("Queue history for the console, against a real redis-server")
struct QueueHistoryTests {
    @Test func oneReadingAMinuteWhoeverWritesFirstAndTheLastHourComesBackInOrder() async throws {
        try await withRedis { redis in
            let history = QueueHistory(client: redis.client, keyspace: redis.keyspace)
            let minute: Int64 = 1_800_000_000_000 - 1_800_000_000_000 % 60_000
            func status(_ dlq: Int) -> StoreStatus {
                StoreStatus(ingressLength: 1, ingressPending: 0, deliveriesLength: 2, deliveriesPending: 0, retryBacklog: 3, deadLetters: dlq, waiting: 4)
            }
            #expect(try await history.record(status(5), nowMillis: minute + 1_000))
            // A second worker in the same minute writes nothing.
            #expect(!(try await history.record(status(99), nowMillis: minute + 30_000)))
            #expect(try await history.record(status(7), nowMillis: minute + 61_000))
            let samples = try await history.samples(count: 60)
            #expect(samples.map(\.minuteMillis) == [minute, minute + 60_000])
            #expect(samples.map(\.status.deadLetters) == [5, 7])
            #expect(samples[0].status == status(5))
            #expect(try await history.samples(count: 1).map(\.minuteMillis) == [minute + 60_000])
        }
    }
}
