import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@Suite("WorkerStore operator commands, status and rate limit against a real redis-server")
struct WorkerStoreOperatorTests {
    typealias Harness = WorkerStoreHarness

    /// Routes one event to `target`, claims it and dead-letters it; returns the dead letter.
    static func deadLetter(_ h: Harness, id: String = "msg_1", target: EndpointRef = Harness.targets[0], body: [UInt8]? = nil) async throws -> DeadLetterEntry {
        try await h.ingestAndRoute(Harness.event(id: id, body: body), to: [target])
        let entry = try await h.readOne()
        try await h.store.complete(
            entry, attempt: nil, resolution: .deadLetter(.gone, lastStatus: 410, lastError: "HTTP 410"),
            nowMillis: Harness.now, retention: Harness.retention
        )
        return try #require(try await h.store.deadLetters().last)
    }

    @Test func replayMovesADeadLetterBackOnceWithAFreshSchedule() async throws {
        try await Harness.run { h in
            let letter = try await Self.deadLetter(h)
            #expect(letter.attempts == 0)
            let fresh = letter.delivery.restarted(atMillis: Int64(Date().timeIntervalSince1970 * 1000))
            #expect(try await h.store.replay(deadLetterID: letter.id, with: [fresh]))
            #expect(try await h.store.deadLetters().isEmpty)
            #expect(try await h.store.deadLetter(id: letter.id) == nil)
            #expect(try await h.readOne().delivery == fresh)
            // Replaying the same dead letter again does nothing.
            #expect(!(try await h.store.replay(deadLetterID: letter.id, with: [fresh])))
            #expect(try await h.length(h.redis.keyspace.deliveries) == 1)
            #expect(!(try await h.store.replay(deadLetterID: "not-an-id", with: [fresh])))
        }
    }

    @Test func replayOfANoRouteDeadLetterWithoutRoutesKeepsIt() async throws {
        try await Harness.run { h in
            let event = Harness.event()
            let entry = try await h.ingest(event)
            try await h.store.route(entry, event: event, deliveries: [], nowMillis: Harness.now, retention: Harness.retention)
            let letter = try #require(try await h.store.deadLetters().first)
            #expect(!(try await h.store.replay(deadLetterID: letter.id, with: [])))
            #expect(!(try await h.store.replay(deadLetterID: letter.id, with: [letter.delivery.restarted(atMillis: Int64(Date().timeIntervalSince1970 * 1000))])))
            #expect(try await h.store.deadLetters() == [letter])
            // Once routes match, replay fans it out.
            let deliveries = Harness.targets.map { Delivery(ingressID: letter.delivery.ingressID, event: event, target: $0) }
            #expect(try await h.store.replay(deadLetterID: letter.id, with: deliveries))
            #expect(try await h.store.readDeliveries(consumer: "w", count: 10, block: .zero).map(\.delivery) == deliveries)
        }
    }

    @Test func purgeDeletesTheGivenDeadLettersAndCountsThoseThatExisted() async throws {
        try await Harness.run { h in
            let first = try await Self.deadLetter(h, id: "msg_1")
            let second = try await Self.deadLetter(h, id: "msg_2")
            #expect(try await h.store.deadLetters().map(\.id) == [first.id, second.id])
            #expect(try await h.store.deadLetters(count: 1).map(\.id) == [first.id])
            #expect(try await h.store.deadLetters(count: 5, after: first.id).map(\.id) == [second.id])
            #expect(try await h.store.purge(deadLetterIDs: [first.id, "1-1", "garbage", "99999999999999999999-0", "1-18446744073709551616"]) == 1)
            #expect(try await h.store.deadLetters().map(\.id) == [second.id])
            #expect(try await h.store.purge(deadLetterIDs: [first.id]) == 0)
            #expect(try await h.store.purge(deadLetterIDs: []) == 0)
        }
    }

    @Test func statusCountsEveryQueue() async throws {
        try await Harness.run { h in
            #expect(try await h.store.status() == StoreStatus(ingressLength: 0, ingressPending: 0, deliveriesLength: 0, deliveriesPending: 0, retryBacklog: 0, deadLetters: 0))
            _ = try await Self.deadLetter(h, id: "msg_0")
            try await h.ingestAndRoute(Harness.event(id: "msg_1"))
            let entries = try await h.store.readDeliveries(consumer: "w", count: 2, block: .zero)
            try await h.store.complete(entries[0], attempt: nil, resolution: .park(dueAtMillis: Harness.now), nowMillis: Harness.now, retention: Harness.retention)
            let ingress = IngressStore(client: h.redis.client, keyspace: h.redis.keyspace)
            _ = try await ingress.accept(Harness.event(id: "msg_2"), dedupeWindow: .seconds(60))
            _ = try await ingress.accept(Harness.event(id: "msg_3"), dedupeWindow: .seconds(60))
            _ = try await h.store.readIngress(consumer: "r", count: 1, block: .zero)
            #expect(try await h.store.status() == StoreStatus(ingressLength: 2, ingressPending: 1, deliveriesLength: 2, deliveriesPending: 1, retryBacklog: 1, deadLetters: 1))
            // Without groups (Redis lost them) pending counts read 0 instead of failing.
            _ = try await h.send(["XGROUP", "DESTROY", RedisArgument(h.redis.keyspace.ingress), RedisArgument(Keyspace.routerGroup)])
            #expect(try await h.store.status().ingressPending == 0)
        }
    }

    /// An archive entry id near Int64's top (added by hand; XTRIM MINID never removes it)
    /// overflowed when the window was added to it, crashing `partitions prune`.
    @Test func anArchiveIdAtInt64sTopSaturatesWhenItLeavesTheWindow() async throws {
        try await Harness.run { h in
            _ = try await h.redis.client.send(["XADD", RedisArgument(h.redis.keyspace.archive), "9223372036854775807-0", "x", "y"])
            let left = try await h.store.trimArchiveForPrune(window: .seconds(3600), nowMillis: 1_800_000_000_000)
            #expect(left.count == 1 && left.expiresAtMillis == .max)
        }
    }

    /// A recorded partition count above the most a routes file sets (written by hand) is refused
    /// when raising it too: a worker grew to every one (1,000 gave 2,002 Redis connections).
    @Test func raisingADamagedPartitionRecordIsRefused() async throws {
        try await Harness.run { h in
            let record = PartitionRecord(client: h.redis.client, prefix: h.redis.prefix)
            #expect(try await record.raise(to: 2) == 2)
            _ = try await h.redis.client.send(["SET", RedisArgument(h.redis.keyspace.partitionCount), "1000"])
            await #expect(throws: RedisError.self) { try await record.raise(to: 2) }
        }
    }

    /// What `sluice partitions prune` checks counts every place a delivery can be, waiting lines
    /// included.
    @Test func workLeftForPruneCountsEveryQueue() async throws {
        try await Harness.run { h in
            #expect(try await h.store.workLeftForPrune().isEmpty)
            _ = try await Self.deadLetter(h, id: "msg_0")
            try await h.ingestAndRoute(Harness.event(id: "msg_1"))
            let entries = try await h.store.readDeliveries(consumer: "w", count: 3, block: .zero)
            try await h.store.complete(entries[0], attempt: nil, resolution: .park(dueAtMillis: Harness.now), nowMillis: Harness.now, retention: Harness.retention)
            try await h.store.complete(
                entries[1], attempt: nil, resolution: .wait(dueAtMillis: Harness.now, front: false), nowMillis: Harness.now, retention: Harness.retention)
            let ingress = IngressStore(client: h.redis.client, keyspace: h.redis.keyspace)
            _ = try await ingress.accept(Harness.event(id: "msg_2"), dedupeWindow: .seconds(60))
            #expect(
                try await h.store.workLeftForPrune()
                    == StoreStatus(ingressLength: 1, ingressPending: 0, deliveriesLength: 1, deliveriesPending: 0, retryBacklog: 1, deadLetters: 1, waiting: 1))
        }
    }

    /// A delivery going round between the deliveries stream and its endpoint's waiting line (let
    /// out, bounced back) is always somewhere: the prune check must never read the partition as
    /// empty in between, as separate reads of each queue could.
    @Test func workLeftForPruneNeverMissesADeliveryMovingBetweenQueues() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(id: "msg_1"), to: [Harness.targets[0]])
            let pace = { (_: EndpointRef) in WorkerStore.ReleasePace(rateLimit: nil, most: 10, interval: .milliseconds(1)) }
            let mover = Task {
                var rounds = 0
                while !Task.isCancelled {
                    let entry = try await h.readOne()
                    try await h.store.complete(
                        entry, attempt: nil, resolution: .wait(dueAtMillis: 0, front: false), nowMillis: Harness.now, retention: Harness.retention)
                    _ = try await h.store.releaseWaiting(nowMillis: Harness.now, limit: 10, pace: pace)
                    rounds += 1
                }
                return rounds
            }
            var empty = 0
            for _ in 0..<400 where try await h.store.workLeftForPrune().isEmpty { empty += 1 }
            mover.cancel()
            #expect(try await mover.value > 50, "the delivery moved while the check ran")
            #expect(empty == 0, "the check read the partition as empty \(empty) times while it held a delivery")
        }
    }

    @Test func sharedTokenBucketGrantsTheBurstThenAsksToWait() async throws {
        try await Harness.run { h in
            let endpoint = Harness.targets[0]
            // A minute, not a second: the bucket's key expires a period and a second after its last
            // use by Redis's own clock, while this test's clock stands still — on a loaded machine
            // more than 2 s once passed between two calls, and the fourth found a fresh bucket.
            let limit = RateLimit(count: 3, period: .seconds(60))
            var local = TokenBucket(limit: limit, nowMillis: Harness.now)
            for _ in 0..<3 {
                #expect(try await h.store.takeToken(endpoint: endpoint, limit: limit, nowMillis: Harness.now) == nil)
                #expect(local.take(nowMillis: Harness.now) == nil)
            }
            let wait = try await h.store.takeToken(endpoint: endpoint, limit: limit, nowMillis: Harness.now)
            #expect(wait != nil)
            #expect(wait == local.take(nowMillis: Harness.now).map { TokenRefusal(wait: $0) })
            // Another endpoint has its own bucket.
            #expect(try await h.store.takeToken(endpoint: Harness.targets[1], limit: limit, nowMillis: Harness.now) == nil)
            // A third of the period later one token is back.
            #expect(try await h.store.takeToken(endpoint: endpoint, limit: limit, nowMillis: Harness.now + 20_000) == nil)
        }
    }

    @Test func binaryBodySurvivesRouteRetryDeadLetterAndReplay() async throws {
        try await Harness.run { h in
            let body: [UInt8] = [0x7B, 0x00, 0xFF, 0xFE, 0xC3, 0x28, 0x0D, 0x0A, 0x00, 0x80] + Array(repeating: 0, count: 64)
            let event = Harness.event(body: body)
            try await h.ingestAndRoute(event, to: [Harness.targets[2]])
            let entry = try await h.readOne()
            #expect(entry.delivery.event.body == body)
            var next = entry.delivery
            next.attempt = 2
            next.lastError = "timed out"
            try await h.store.complete(entry, attempt: nil, resolution: .retry(next: next, dueAtMillis: Harness.now), nowMillis: Harness.now, retention: Harness.retention)
            #expect(try await h.store.moveDueRetries(nowMillis: Harness.now, limit: 10) == 1)
            let retried = try await h.readOne()
            #expect(retried.delivery == next)
            try await h.store.complete(
                retried, attempt: nil, resolution: .deadLetter(.exhausted, lastStatus: nil, lastError: "timed out"),
                nowMillis: Harness.now, retention: Harness.retention
            )
            let letter = try #require(try await h.store.deadLetters().first)
            #expect(letter.delivery.event.body == body)
            #expect(letter.attempts == 1)
            #expect(letter.lastStatus == nil)
            #expect(try await h.store.replay(deadLetterID: letter.id, with: [letter.delivery.restarted(atMillis: Int64(Date().timeIntervalSince1970 * 1000))]))
            let replayed = try await h.readOne()
            #expect(replayed.delivery.event == event)
            #expect(replayed.delivery.attempt == 1)
        }
    }
}
