import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@Suite("Event search over the event index (worker.event_index), against a real redis-server")
struct EventSearchTests {
    typealias Harness = WorkerStoreHarness
    static let main = EndpointRef(tenant: "acme", endpoint: "main")
    static let audit = EndpointRef(tenant: "acme", endpoint: "audit")
    static let hook = EndpointRef(tenant: "globex", endpoint: "hook")

    static func event(_ id: String, type: String = "batch.completed") -> IngressEvent {
        var event = Harness.event(id: id)
        event.eventType = type
        return event
    }

    /// Routes `event` to `targets` with the index on (cap `index`).
    static func route(_ h: Harness, _ event: IngressEvent, to targets: [EndpointRef], index: Int = 1000) async throws {
        let entry = try await h.ingest(event)
        let deliveries = targets.map { Delivery(ingressID: entry.streamID, event: event, target: $0) }
        #expect(try await h.store.route(entry, event: event, deliveries: deliveries, nowMillis: Harness.now, retention: Harness.retention, eventIndex: index))
    }

    static func ids(_ page: EventSearchPage) -> [String] { page.hits.map(\.event.webhookID) }

    @Test func findsEventsByTenantEndpointTypeAndOutcomeNewestFirst() async throws {
        try await Harness.run { h in
            try await Self.route(h, Self.event("msg_1"), to: [Self.main, Self.audit])
            try await Self.route(h, Self.event("msg_2"), to: [Self.hook])
            try await Self.route(h, Self.event("msg_3"), to: [])
            try await Self.route(h, Self.event("msg_4", type: "video.done"), to: [Self.main])
            // msg_1: delivered to acme/main, dead-lettered for acme/audit; msg_2 waits for a
            // retry; msg_4's delivery is still queued.
            let entries = try await h.store.readDeliveries(consumer: "w", count: 3, block: .zero)
            for entry in entries {
                let delivery = entry.delivery
                switch (delivery.event.webhookID, delivery.target) {
                case ("msg_1", Self.main):
                    try await h.store.complete(entry, attempt: Harness.attempt(1, status: 200, outcome: .delivered), resolution: .delivered, nowMillis: Harness.now, retention: Harness.retention)
                case ("msg_1", Self.audit):
                    try await h.store.complete(
                        entry, attempt: Harness.attempt(1, status: 410, outcome: .deadLetter, reason: .gone), resolution: .deadLetter(.gone, lastStatus: 410, lastError: nil),
                        nowMillis: Harness.now, retention: Harness.retention)
                default:
                    var next = delivery
                    next.attempt = 2
                    try await h.store.complete(
                        entry, attempt: Harness.attempt(1, status: 503, outcome: .retry), resolution: .retry(next: next, dueAtMillis: Harness.now + 60_000),
                        nowMillis: Harness.now, retention: Harness.retention)
                }
            }
            let stores = WorkerStores(url: h.redis.url, prefix: h.redis.prefix, count: 1, logger: h.redis.logger)
            defer { stores.shutdown() }

            let all = try await stores.searchEvents(EventQuery())
            #expect(Self.ids(all) == ["msg_4", "msg_3", "msg_2", "msg_1"])
            #expect(all.hits.map(\.summary) == [.pending, .noRoute, .retrying, .deadLetter])
            #expect(all.next == nil && !all.stoppedAtScanLimit && all.scanned == 4)
            // A read that ends exactly where the index does: no next page either.
            let exact = try await stores.searchEvents(EventQuery(), limit: 4, scanLimit: 4)
            #expect(exact.hits.count == 4 && exact.next == nil && !exact.stoppedAtScanLimit)
            #expect(all.hits[3].standings.map(\.standing) == [.delivered, .deadLetter])

            #expect(Self.ids(try await stores.searchEvents(EventQuery(tenant: "acme"))) == ["msg_4", "msg_1"])
            let toMain = try await stores.searchEvents(EventQuery(endpoint: Self.main))
            #expect(Self.ids(toMain) == ["msg_4", "msg_1"])
            // Filtered by endpoint, an event stands as its delivery to that endpoint does.
            #expect(toMain.hits.map(\.summary) == [.pending, .delivered])
            #expect(toMain.hits[1].standings.map(\.target) == [Self.main])

            #expect(Self.ids(try await stores.searchEvents(EventQuery(outcome: .delivered))) == ["msg_1"])
            #expect(Self.ids(try await stores.searchEvents(EventQuery(outcome: .deadLetter))) == ["msg_1"])
            #expect(Self.ids(try await stores.searchEvents(EventQuery(outcome: .retrying))) == ["msg_2"])
            #expect(Self.ids(try await stores.searchEvents(EventQuery(outcome: .noRoute))) == ["msg_3"])
            #expect(Self.ids(try await stores.searchEvents(EventQuery(outcome: .pending))) == ["msg_4"])
            #expect(Self.ids(try await stores.searchEvents(EventQuery(endpoint: Self.audit, outcome: .delivered))).isEmpty)

            #expect(Self.ids(try await stores.searchEvents(EventQuery(eventType: "video.*"))) == ["msg_4"])
            #expect(Self.ids(try await stores.searchEvents(EventQuery(eventType: "batch.completed"))) == ["msg_3", "msg_2", "msg_1"])
            #expect(Self.ids(try await stores.searchEvents(EventQuery(source: "other"))).isEmpty)

            // The time window is the index's entry times (when each was routed, by Redis's clock).
            let times = all.hits.map(\.event.routedAtMillis)
            #expect(Self.ids(try await stores.searchEvents(EventQuery(sinceMillis: times[0] + 1))).isEmpty)
            #expect(Self.ids(try await stores.searchEvents(EventQuery(untilMillis: times[3] - 1))).isEmpty)
            #expect(Self.ids(try await stores.searchEvents(EventQuery(sinceMillis: times[3], untilMillis: times[0]))).count == 4)

            // Page by page, each event once, in order.
            var seen: [String] = []
            var cursor: EventCursor?
            for _ in 0..<5 {
                let page = try await stores.searchEvents(EventQuery(), after: cursor, limit: 1)
                seen += Self.ids(page)
                cursor = page.next
                if cursor == nil { break }
            }
            #expect(seen == ["msg_4", "msg_3", "msg_2", "msg_1"] && cursor == nil)

            // msg_3's no_route dead letter, replayed to acme/main once a route takes it, and
            // delivered: it stands as delivered now, no longer as no route.
            let letter = try #require(try await h.store.deadLetters().first { $0.reason == .noRoute })
            var replayed = letter.delivery
            replayed.target = Self.main
            #expect(try await h.store.replay(deadLetterID: letter.id, with: [replayed]))
            // (msg_4's delivery is still unread, before it.)
            let unread = try await h.store.readDeliveries(consumer: "w", count: 10, block: .zero)
            let entry = try #require(unread.first { $0.delivery.event.webhookID == "msg_3" })
            try await h.store.complete(entry, attempt: Harness.attempt(1, status: 200, outcome: .delivered), resolution: .delivered, nowMillis: Harness.now, retention: Harness.retention)
            let after = try await stores.searchEvents(EventQuery())
            #expect(after.hits[1].event.webhookID == "msg_3" && after.hits[1].summary == .delivered)
            #expect(after.hits[1].standings.map(\.target) == [Self.main])
            #expect(Self.ids(try await stores.searchEvents(EventQuery(outcome: .noRoute))).isEmpty)
        }
    }

    @Test func aNarrowSearchStopsAtItsScanLimitAndGoesOnFromThere() async throws {
        try await Harness.run { h in
            try await Self.route(h, Self.event("old", type: "video.done"), to: [Self.main])
            for index in 0..<6 { try await Self.route(h, Self.event("msg_\(index)"), to: [Self.main]) }
            let stores = WorkerStores(url: h.redis.url, prefix: h.redis.prefix, count: 1, logger: h.redis.logger)
            defer { stores.shutdown() }
            let query = EventQuery(eventType: "video.done")
            let first = try await stores.searchEvents(query, limit: 10, scanLimit: 4)
            #expect(first.hits.isEmpty && first.stoppedAtScanLimit && first.scanned == 4)
            let next = try #require(first.next)
            let second = try await stores.searchEvents(query, after: next, limit: 10, scanLimit: 4)
            #expect(Self.ids(second) == ["old"] && second.next == nil && !second.stoppedAtScanLimit)
        }
    }

    @Test func theIndexIsCappedAndNotWrittenWhenOff() async throws {
        try await Harness.run { h in
            for index in 0..<3 { try await Self.route(h, Self.event("off_\(index)"), to: [Self.main], index: 0) }
            #expect(try await h.length(h.redis.keyspace.eventIndex) == 0)
            // XADD MAXLEN ~ trims whole nodes (100 entries): past the cap, the index stops growing.
            for index in 0..<350 { try await Self.route(h, Self.event("on_\(index)"), to: [Self.main], index: 100) }
            let length = try await h.length(h.redis.keyspace.eventIndex)
            #expect(length >= 100 && length < 250, "index length \(length)")
        }
    }

    @Test func manyPartitionsShareTheScanLimitAndEveryPageMovesOn() async throws {
        try await withRedis { redis in
            let stores = WorkerStores(url: redis.url, prefix: redis.prefix, count: 8, logger: redis.logger)
            defer { stores.shutdown() }
            // 8 partitions × 10 entries without logs (expired), one of them indexed without targets.
            for partition in 0..<8 {
                let keyspace = Keyspace(prefix: redis.prefix, partition: partition)
                for index in 1...10 {
                    _ = try await stores.store(partition).client.send([
                        "XADD", RedisArgument(keyspace.eventIndex), RedisArgument("\(index * 10)-\(partition)"), "id", RedisArgument("p\(partition)-\(index)"),
                        "source", "gemini", "type", "t", "targets", partition == 3 && index == 5 ? "" : "acme/main",
                    ])
                }
            }
            // An outcome none has: every page reads its share of 16 entries and moves on, to the end.
            var cursor: EventCursor?
            var pages = 0
            repeat {
                let page = try await stores.searchEvents(EventQuery(outcome: .delivered), after: cursor, limit: 50, scanLimit: 16)
                #expect(page.hits.isEmpty && page.scanned > 0)
                #expect(page.next != cursor, "page \(pages) moved on")
                cursor = page.next
                pages += 1
            } while cursor != nil && pages < 40
            #expect(cursor == nil && pages >= 5, "\(pages) pages")
            // Every entry is found, in order, across pages of the same small budget.
            var found: [String] = []
            cursor = nil
            repeat {
                let page = try await stores.searchEvents(EventQuery(outcome: .expired), after: cursor, limit: 50, scanLimit: 16)
                found += Self.ids(page)
                cursor = page.next
            } while cursor != nil && found.count <= 80
            #expect(found.count == 80 && Set(found).count == 80)
            #expect(found.first == "p7-10" && found.last == "p0-1")
            // The one indexed without targets, its log gone: expired, not no route.
            let noRoute = try await stores.searchEvents(EventQuery(eventType: "t", outcome: .expired), limit: 80, scanLimit: 80)
            #expect(noRoute.hits.first { $0.event.webhookID == "p3-5" }?.summary == .expired)
            #expect(try await stores.searchEvents(EventQuery(outcome: .noRoute), limit: 80, scanLimit: 80).hits.isEmpty)
        }
    }

    @Test func cursorsAreStreamIDsRedisAccepts() {
        #expect(EventCursor(parsing: "1764000000000-3@2") == EventCursor(indexID: "1764000000000-3", partition: 2))
        for bad in ["0-0@0", "99999999999999999999-0@0", "12@0", "1-2", "1-2@-1", "a-1@0", "1--2@0"] {
            #expect(EventCursor(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func partitionsAreMergedNewestFirstAndPagedWithoutLossOrRepeat() async throws {
        try await withRedis { redis in
            let stores = WorkerStores(url: redis.url, prefix: redis.prefix, count: 3, logger: redis.logger)
            defer { stores.shutdown() }
            // Index entries written directly, with ids that repeat across partitions: the cursor
            // must tell apart entries of the same id in two partitions.
            let layout: [(partition: Int, id: String)] = [
                (0, "999-0"), (0, "1000-0"), (1, "1000-0"), (2, "1001-0"), (0, "1002-0"), (1, "1002-0"), (2, "1002-0"), (1, "1003-5"),
            ]
            for (partition, id) in layout {
                let keyspace = Keyspace(prefix: redis.prefix, partition: partition)
                _ = try await stores.store(partition).client.send([
                    "XADD", RedisArgument(keyspace.eventIndex), RedisArgument(id), "id", RedisArgument("e\(partition)-\(id)"), "source", "gemini", "type", "t",
                    "targets", "acme/main",
                ])
            }
            let expected = ["e1-1003-5", "e2-1002-0", "e1-1002-0", "e0-1002-0", "e2-1001-0", "e1-1000-0", "e0-1000-0", "e0-999-0"]
            let whole = try await stores.searchEvents(EventQuery(), limit: 50)
            #expect(Self.ids(whole) == expected)
            // No log was written for these: their deliveries' standing is unknown, said as such.
            #expect(whole.hits.allSatisfy { $0.summary == .expired })
            // Complete since the latest of the partitions' oldest entries (partition 2 starts at 1001).
            #expect(whole.indexStartsAtMillis == 1001)
            // A page that ends exactly where the index does says there is no next page.
            let exact = try await stores.searchEvents(EventQuery(), limit: 8)
            #expect(exact.hits.count == 8 && exact.next == nil)
            for size in [1, 2, 3] {
                var seen: [String] = []
                var cursor: EventCursor?
                repeat {
                    let page = try await stores.searchEvents(EventQuery(), after: cursor, limit: size)
                    seen += Self.ids(page)
                    cursor = page.next
                } while cursor != nil && seen.count <= expected.count
                #expect(seen == expected, "pages of \(size)")
            }
        }
    }
}
