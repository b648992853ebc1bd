import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@Suite("WorkerStore completion, retries and reclaim against a real redis-server")
struct WorkerStoreCompletionTests {
    typealias Harness = WorkerStoreHarness

    @Test func deliveredAcksDeletesAndLogsTheAttempt() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(), to: [Harness.targets[0]])
            let entry = try await h.readOne()
            let record = Harness.attempt(1, status: 200, outcome: .delivered)
            let settled = try await h.store.complete(entry, attempt: record, resolution: .delivered, nowMillis: Harness.now, retention: Harness.retention)
            #expect(settled)
            let keys = h.redis.keyspace
            #expect(try await h.length(keys.deliveries) == 0)
            #expect(try await h.pending(keys.deliveries, group: Keyspace.deliveryGroup) == 0)
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_1") == [LoggedAttempt(target: Harness.targets[0], record: record)])
            #expect(try await h.send(["ZCARD", RedisArgument(keys.retry)]).int == 0)
        }
    }

    @Test func retryWaitsInTheRetrySetUntilDueThenMovesBackUnchanged() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(), to: [Harness.targets[0]])
            let entry = try await h.readOne()
            var next = entry.delivery
            next.attempt = 2
            next.firstAttemptAtMillis = Harness.now
            next.lastStatus = 500
            next.lastError = "HTTP 500"
            let due = Harness.now + 5_000
            try await h.store.complete(
                entry, attempt: Harness.attempt(1, status: 500, outcome: .retry),
                resolution: .retry(next: next, dueAtMillis: due), nowMillis: Harness.now, retention: Harness.retention
            )
            let keys = h.redis.keyspace
            #expect(try await h.length(keys.deliveries) == 0)
            #expect(try await h.send(["ZSCORE", RedisArgument(keys.retry), RedisArgument(next.id)]).int == due)
            let hash = try await h.send(["HGETALL", RedisArgument(keys.retryEntry(deliveryID: next.id))]).array ?? []
            #expect(Delivery(fields: Harness.fieldMap(hash)) == next)
            #expect(try await h.store.status().retryBacklog == 1)

            #expect(try await h.store.moveDueRetries(nowMillis: due - 1, limit: 100) == 0)
            #expect(try await h.store.moveDueRetries(nowMillis: due, limit: 100) == 1)
            #expect(try await h.send(["ZCARD", RedisArgument(keys.retry)]).int == 0)
            #expect(try await h.send(["EXISTS", RedisArgument(keys.retryEntry(deliveryID: next.id))]).int == 0)
            #expect(try await h.readOne(consumer: "worker-2").delivery == next)
            #expect(try await h.store.moveDueRetries(nowMillis: due + 10_000, limit: 100) == 0)
        }
    }

    @Test func moveDueRetriesMovesAtMostTheLimitPerCall() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event())
            let entries = try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .zero)
            #expect(entries.count == 3)
            for entry in entries {
                try await h.store.complete(entry, attempt: nil, resolution: .park(dueAtMillis: Harness.now), nowMillis: Harness.now, retention: Harness.retention)
            }
            #expect(try await h.store.moveDueRetries(nowMillis: Harness.now, limit: 2) == 2)
            #expect(try await h.store.moveDueRetries(nowMillis: Harness.now, limit: 2) == 1)
            let moved = try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .zero)
            // Parked deliveries come back as they were: same attempt, no history added.
            #expect(Set(moved.map(\.delivery.id)) == Set(entries.map(\.delivery.id)))
            #expect(moved.allSatisfy { $0.delivery.attempt == 1 && $0.delivery.lastStatus == nil })
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_1").isEmpty)
        }
    }

    @Test func deadLetterRecordsReasonLastStatusAndAttempts() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(), to: [Harness.targets[1]])
            var entry = try await h.readOne()
            entry.delivery.attempt = 3  // as if two earlier attempts failed
            let settled = try await h.store.complete(
                entry, attempt: Harness.attempt(3, status: 502, outcome: .deadLetter, reason: .exhausted),
                resolution: .deadLetter(.exhausted, lastStatus: 502, lastError: "HTTP 502"),
                nowMillis: Harness.now + 7, retention: Harness.retention
            )
            #expect(settled)
            #expect(try await h.length(h.redis.keyspace.deliveries) == 0)
            let letters = try await h.store.deadLetters()
            #expect(letters.count == 1)
            let letter = try #require(letters.first)
            #expect(letter.reason == .exhausted)
            #expect(letter.lastStatus == 502)
            #expect(letter.lastError == "HTTP 502")
            #expect(letter.attempts == 3)
            #expect(letter.deadLetteredAtMillis == Harness.now + 7)
            #expect(letter.delivery.target == Harness.targets[1])
            #expect(letter.delivery.event == Harness.event())
        }
    }

    @Test func completingAnEntryTwiceChangesNothingTheSecondTime() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(), to: [Harness.targets[0]])
            let entry = try await h.readOne()
            let record = Harness.attempt(1, status: 200, outcome: .delivered)
            #expect(try await h.store.complete(entry, attempt: record, resolution: .delivered, nowMillis: Harness.now, retention: Harness.retention))
            // A second worker that had reclaimed the same entry finishes later with a failure.
            let late = try await h.store.complete(
                entry, attempt: Harness.attempt(1, status: 500, outcome: .deadLetter, reason: .gone),
                resolution: .deadLetter(.gone, lastStatus: 410, lastError: nil), nowMillis: Harness.now, retention: Harness.retention
            )
            #expect(!late)
            #expect(try await h.store.deadLetters().isEmpty)
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_1").count == 1)
            let parked = try await h.store.complete(entry, attempt: nil, resolution: .park(dueAtMillis: 0), nowMillis: Harness.now, retention: Harness.retention)
            #expect(!parked)
            #expect(try await h.store.status().retryBacklog == 0)
        }
    }

    @Test func deliveriesPendingInADeadConsumerAreClaimedAfterMinIdle() async throws {
        try await Harness.run { h in
            let deliveries = try await h.ingestAndRoute(Harness.event())
            let taken = try await h.store.readDeliveries(consumer: "dead", count: 10, block: .zero)
            #expect(taken.count == 3)
            var claimed: [DeliveryEntry] = []
            try await poll(until: {
                claimed += try await h.store.claimStaleDeliveries(consumer: "alive", minIdle: .milliseconds(50), count: 10)
                return claimed.count >= 3
            }, "the dead consumer's deliveries to be claimed")
            #expect(claimed.map(\.delivery) == deliveries)
            #expect(claimed.map(\.streamID) == taken.map(\.streamID))
            let consumers = try await h.send(["XPENDING", RedisArgument(h.redis.keyspace.deliveries), RedisArgument(Keyspace.deliveryGroup)])
            let owners = consumers.array?[3].array?.compactMap { $0.array?.first?.string }
            #expect(owners == ["alive"])
            // The reclaiming worker completes them like any other.
            for entry in claimed {
                #expect(try await h.store.complete(entry, attempt: nil, resolution: .delivered, nowMillis: Harness.now, retention: Harness.retention))
            }
            #expect(try await h.store.status().deliveriesPending == 0)
        }
    }

    @Test func lostConsumerGroupsAreRecreatedOnRead() async throws {
        try await Harness.run { h in
            _ = try await h.send(["FLUSHALL"])
            #expect(try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .zero).isEmpty)
            #expect(try await h.store.claimStaleDeliveries(consumer: "worker-1", minIdle: .zero, count: 10).isEmpty)
            _ = try await h.send(["XGROUP", "DESTROY", RedisArgument(h.redis.keyspace.ingress), RedisArgument(Keyspace.routerGroup)])
            // The router carries on too: an event accepted after the loss is read and routed.
            let deliveries = try await h.ingestAndRoute(Harness.event())
            _ = try await h.send(["XGROUP", "DESTROY", RedisArgument(h.redis.keyspace.deliveries), RedisArgument(Keyspace.deliveryGroup)])
            let read = try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .zero)
            #expect(read.map(\.delivery) == deliveries)
        }
    }

    @Test func attemptLogKeepsOrderAcrossDeliveriesAndRefreshesItsRetention() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(), to: [Harness.targets[0]])
            let retention: Duration = .seconds(600)
            var entry = try await h.readOne()
            var expected: [LoggedAttempt] = []
            for number in 1...3 {
                let final = number == 3
                let record = Harness.attempt(number, status: final ? 200 : 500, outcome: final ? .delivered : .retry, at: Harness.now + Int64(number))
                expected.append(LoggedAttempt(target: Harness.targets[0], record: record))
                var next = entry.delivery
                next.attempt = number + 1
                next.lastStatus = 500
                let resolution: DeliveryResolution = final ? .delivered : .retry(next: next, dueAtMillis: Harness.now)
                try await h.store.complete(entry, attempt: record, resolution: resolution, nowMillis: Harness.now, retention: retention)
                if !final {
                    #expect(try await h.store.moveDueRetries(nowMillis: Harness.now, limit: 10) == 1)
                    entry = try await h.readOne()
                    #expect(entry.delivery.attempt == number + 1)
                }
            }
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_1") == expected)
            let key = RedisArgument(h.redis.keyspace.eventLog(source: "gemini", webhookID: "msg_1"))
            // The edge set the key's expiry (the retention); the record and attempts keep it.
            #expect(try await h.expires(key, asSetTo: Harness.retention))
            // Each attempt line is one JSON object naming its target, after the event's record.
            let lines = try await h.logLines("msg_1")
            #expect(lines.count == 4)
            #expect(lines.first?.hasPrefix(#"{"event":"#) == true)
            #expect(lines.last?.hasPrefix(#"{"target":"acme/main","#) == true)
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "unknown").isEmpty)
        }
    }

    /// An event routed and first attempted by an earlier version, whose log was a list, and
    /// attempted again after the upgrade: `events show` reads the list, then the key's lines.
    @Test func aLogBegunByAnEarlierVersionReadsWholeAfterTheUpgrade() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(), to: [Harness.targets[0]])
            let entry = try await h.readOne()
            let first = Harness.attempt(1, status: 500, outcome: .retry, at: Harness.now + 1)
            var next = entry.delivery
            next.attempt = 2
            try await h.store.complete(entry, attempt: first, resolution: .retry(next: next, dueAtMillis: Harness.now), nowMillis: Harness.now, retention: Harness.retention)
            // Rewrite what this version wrote so far in the earlier layout: the acceptance time
            // alone in the marker, the record and first attempt in a list of their own.
            let key = RedisArgument(h.redis.keyspace.eventLog(source: "gemini", webhookID: "msg_1"))
            let legacy = RedisArgument(h.redis.keyspace.attempts(source: "gemini", webhookID: "msg_1"))
            let earlierLines = try await h.logLines("msg_1")
            try #require(earlierLines.count == 2)
            _ = try await h.send(["SET", key, "1700000000123", "PX", "60000"])
            _ = try await h.send(["RPUSH", legacy] + earlierLines.map { RedisArgument($0) })

            #expect(try await h.store.moveDueRetries(nowMillis: Harness.now, limit: 10) == 1)
            let second = Harness.attempt(2, status: 200, outcome: .delivered, at: Harness.now + 2)
            try await h.store.complete(try await h.readOne(), attempt: second, resolution: .delivered, nowMillis: Harness.now, retention: Harness.retention)

            #expect(try await h.logLines("msg_1").count == 1)
            let log = try await h.store.eventLog(source: "gemini", webhookID: "msg_1")
            #expect(log.record?.targets == [Harness.targets[0]])
            #expect(log.attempts == [LoggedAttempt(target: Harness.targets[0], record: first), LoggedAttempt(target: Harness.targets[0], record: second)])
        }
    }

    @Test func attemptLogLinesStayValidJSONForUnusualTargetNames() async throws {
        try await Harness.run { h in
            let target = EndpointRef(tenant: #"q"uote"#, endpoint: "back\\slash\tand é")
            try await h.ingestAndRoute(Harness.event(), to: [target])
            let entry = try await h.readOne()
            #expect(entry.delivery.target == target)
            let record = Harness.attempt(1, status: 200, outcome: .delivered)
            try await h.store.complete(entry, attempt: record, resolution: .delivered, nowMillis: Harness.now, retention: Harness.retention)
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_1") == [LoggedAttempt(target: target, record: record)])
        }
    }
}

@Suite("WorkerStore batched completion against a real redis-server")
struct WorkerStoreBatchCompletionTests {
    typealias Harness = WorkerStoreHarness

    /// One script settles a mixed batch, each delivery under its own XACK guard: one settled
    /// earlier is skipped (its late dead letter is not written), the others are settled, and the
    /// attempt lines of one event land in batch order.
    @Test func aBatchSettlesEachDeliveryUnderItsOwnGuard() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event())
            let entries = try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .zero)
            try #require(entries.count == 3)
            let first = Harness.attempt(1, status: 200, outcome: .delivered, at: Harness.now + 1)
            #expect(try await h.store.complete(entries[0], attempt: first, resolution: .delivered, nowMillis: Harness.now, retention: Harness.retention))

            var next = entries[2].delivery
            next.attempt = 2
            next.lastStatus = 503
            let second = Harness.attempt(1, status: 200, outcome: .delivered, at: Harness.now + 2)
            let third = Harness.attempt(1, status: 503, outcome: .retry, at: Harness.now + 3)
            let settled = try await h.store.complete(
                [
                    DeliveryCompletion(
                        entry: entries[0], attempt: Harness.attempt(1, status: 410, outcome: .deadLetter, reason: .gone),
                        resolution: .deadLetter(.gone, lastStatus: 410, lastError: nil)),
                    DeliveryCompletion(entry: entries[1], attempt: second, resolution: .delivered),
                    DeliveryCompletion(entry: entries[2], attempt: third, resolution: .retry(next: next, dueAtMillis: Harness.now + 5_000)),
                ], nowMillis: Harness.now, retention: Harness.retention)
            #expect(settled == [.notPending, .settled, .settled])

            let keys = h.redis.keyspace
            #expect(try await h.length(keys.deliveries) == 0)
            #expect(try await h.pending(keys.deliveries, group: Keyspace.deliveryGroup) == 0)
            #expect(try await h.store.deadLetters().isEmpty)
            #expect(try await h.send(["ZSCORE", RedisArgument(keys.retry), RedisArgument(next.id)]).int == Harness.now + 5_000)
            #expect(try await h.send(["ZCARD", RedisArgument(keys.retry)]).int == 1)
            #expect(
                try await h.store.attemptLog(source: "gemini", webhookID: "msg_1") == [
                    LoggedAttempt(target: entries[0].delivery.target, record: first),
                    LoggedAttempt(target: entries[1].delivery.target, record: second),
                    LoggedAttempt(target: entries[2].delivery.target, record: third),
                ])
        }
    }

    /// Deliveries of different events in one batch: each event's log gets its own line and expiry,
    /// parked deliveries share one retry-set write, and a dead letter is written.
    @Test func aBatchAcrossEventsWritesEachEventsLogAndRetrySet() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(id: "msg_a"), to: [Harness.targets[0]])
            try await h.ingestAndRoute(Harness.event(id: "msg_b"), to: [Harness.targets[0]])
            try await h.ingestAndRoute(Harness.event(id: "msg_c"), to: [Harness.targets[1], Harness.targets[2]])
            let entries = try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .zero)
            try #require(entries.count == 4)
            let logged = Harness.attempt(1, status: 200, outcome: .delivered)
            let dead = Harness.attempt(1, status: 410, outcome: .deadLetter, reason: .gone)
            let settled = try await h.store.complete(
                [
                    DeliveryCompletion(entry: entries[0], attempt: logged, resolution: .delivered),
                    DeliveryCompletion(entry: entries[1], attempt: dead, resolution: .deadLetter(.gone, lastStatus: 410, lastError: "HTTP 410")),
                    DeliveryCompletion(entry: entries[2], attempt: nil, resolution: .park(dueAtMillis: Harness.now + 1)),
                    DeliveryCompletion(entry: entries[3], attempt: nil, resolution: .park(dueAtMillis: Harness.now + 2)),
                ], nowMillis: Harness.now, retention: .seconds(600))
            #expect(settled == [.settled, .settled, .settled, .settled])
            let keys = h.redis.keyspace
            #expect(try await h.length(keys.deliveries) == 0)
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_a") == [LoggedAttempt(target: Harness.targets[0], record: logged)])
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_b") == [LoggedAttempt(target: Harness.targets[0], record: dead)])
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_c").isEmpty)
            for id in ["msg_a", "msg_b"] {
                #expect(try await h.expires(RedisArgument(keys.eventLog(source: "gemini", webhookID: id)), asSetTo: Harness.retention))
            }
            let letters = try await h.store.deadLetters()
            #expect(letters.map(\.reason) == [.gone])
            #expect(letters.first?.delivery.event.webhookID == "msg_b")
            #expect(try await h.send(["ZSCORE", RedisArgument(keys.retry), RedisArgument(entries[2].delivery.id)]).int == Harness.now + 1)
            #expect(try await h.send(["ZSCORE", RedisArgument(keys.retry), RedisArgument(entries[3].delivery.id)]).int == Harness.now + 2)
            #expect(try await h.store.moveDueRetries(nowMillis: Harness.now + 2, limit: 10) == 2)
            let moved = try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .zero)
            let movedBack: [Delivery] = moved.map(\.delivery).sorted { $0.id < $1.id }
            let parked: [Delivery] = [entries[2].delivery, entries[3].delivery].sorted { $0.id < $1.id }
            #expect(movedBack == parked)
        }
    }

    @Test func anAttemptOnAnEventWhoseLogExpiredStartsANewLogThatExpiresToo() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(), to: [Harness.targets[0]])
            let key = RedisArgument(h.redis.keyspace.eventLog(source: "gemini", webhookID: "msg_1"))
            // As if the retention ran out while the delivery waited for its attempt.
            _ = try await h.send(["DEL", key])
            let entry = try await h.readOne()
            let record = Harness.attempt(1, status: 200, outcome: .delivered)
            try await h.store.complete(entry, attempt: record, resolution: .delivered, nowMillis: Harness.now, retention: .seconds(600))
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_1") == [LoggedAttempt(target: Harness.targets[0], record: record)])
            #expect(try await h.expires(key, asSetTo: .seconds(600)))
        }
    }

    /// A delivery whose writes Redis refuses (its endpoint's waiting line is a key of the wrong
    /// type) is left pending with nothing of it kept, while the rest of its batch is settled —
    /// the dead letter before it written once and acknowledged, so settling the batch again
    /// writes no second dead letter; once the key is mended, the refused one settles alone.
    @Test func aDeliveryRedisRefusesIsLeftPendingAndTheRestOfItsBatchIsSettledOnce() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event())
            let entries = try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .zero)
            try #require(entries.count == 3)
            let keys = h.redis.keyspace
            let line = RedisArgument(keys.waitingLine(endpoint: entries[1].delivery.target))
            _ = try await h.send(["SET", line, "not a list"])
            let dead = Harness.attempt(1, status: 410, outcome: .deadLetter, reason: .gone)
            let delivered = Harness.attempt(1, status: 200, outcome: .delivered)
            let batch = [
                DeliveryCompletion(entry: entries[0], attempt: dead, resolution: .deadLetter(.gone, lastStatus: 410, lastError: "HTTP 410")),
                DeliveryCompletion(entry: entries[1], attempt: nil, resolution: .wait(dueAtMillis: Harness.now + 1_000, front: false)),
                DeliveryCompletion(entry: entries[2], attempt: delivered, resolution: .delivered),
            ]
            let outcomes = try await h.store.complete(batch, nowMillis: Harness.now, retention: Harness.retention)
            #expect(outcomes.count == 3)
            #expect(outcomes.first == .settled && outcomes.last == .settled)
            guard case .refused(let message) = outcomes[1] else {
                Issue.record("the delivery whose line is a string was not refused: \(outcomes[1])")
                return
            }
            #expect(message.hasPrefix("WRONGTYPE"))
            #expect(try await h.pending(keys.deliveries, group: Keyspace.deliveryGroup) == 1)
            #expect(try await h.length(keys.deliveries) == 1, "the refused delivery's entry is kept")
            #expect(
                try await h.store.attemptLog(source: "gemini", webhookID: "msg_1") == [
                    LoggedAttempt(target: entries[0].delivery.target, record: dead),
                    LoggedAttempt(target: entries[2].delivery.target, record: delivered),
                ])

            let again = try await h.store.complete(batch, nowMillis: Harness.now, retention: Harness.retention)
            #expect(again.first == .notPending && again.last == .notPending)
            #expect(try await h.store.deadLetters().count == 1, "the dead letter written once")

            _ = try await h.send(["DEL", line])
            #expect(try await h.store.complete(batch[1].entry, attempt: nil, resolution: batch[1].resolution, nowMillis: Harness.now, retention: Harness.retention))
            #expect(try await h.pending(keys.deliveries, group: Keyspace.deliveryGroup) == 0)
            #expect(try await h.send(["LLEN", line]).int == 1)
        }
    }

    /// A retry set that refuses the batch's retries leaves each of them pending, its retry hash
    /// deleted rather than left behind unscheduled; the delivered one beside them is settled.
    @Test func retriesARetrySetRefusesAreLeftPendingWithoutTheirHashes() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(), to: [Harness.targets[0], Harness.targets[1]])
            let entries = try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .zero)
            try #require(entries.count == 2)
            let keys = h.redis.keyspace
            _ = try await h.send(["SET", RedisArgument(keys.retry), "not a sorted set"])
            var next = entries[0].delivery
            next.attempt = 2
            let outcomes = try await h.store.complete(
                [
                    DeliveryCompletion(
                        entry: entries[0], attempt: Harness.attempt(1, status: 503, outcome: .retry),
                        resolution: .retry(next: next, dueAtMillis: Harness.now + 5_000)),
                    DeliveryCompletion(entry: entries[1], attempt: Harness.attempt(1, status: 200, outcome: .delivered), resolution: .delivered),
                ], nowMillis: Harness.now, retention: Harness.retention)
            #expect(outcomes.last == .settled)
            guard case .refused = outcomes.first else {
                Issue.record("the retry was not refused: \(String(describing: outcomes.first))")
                return
            }
            #expect(try await h.pending(keys.deliveries, group: Keyspace.deliveryGroup) == 1)
            #expect(try await h.send(["EXISTS", RedisArgument(keys.retryEntry(deliveryID: next.id))]).int == 0)
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_1").count == 1)
        }
    }

    @Test func aDeliveryListedTwiceInOneBatchIsSettledOnce() async throws {
        try await Harness.run { h in
            try await h.ingestAndRoute(Harness.event(), to: [Harness.targets[0]])
            let entry = try await h.readOne()
            let record = Harness.attempt(1, status: 200, outcome: .delivered)
            let completion = DeliveryCompletion(entry: entry, attempt: record, resolution: .delivered)
            let settled = try await h.store.complete([completion, completion], nowMillis: Harness.now, retention: Harness.retention)
            #expect(settled == [.settled, .notPending])
            #expect(try await h.store.attemptLog(source: "gemini", webhookID: "msg_1").count == 1)
        }
    }
}
