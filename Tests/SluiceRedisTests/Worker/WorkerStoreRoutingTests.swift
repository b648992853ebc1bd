import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@Suite("WorkerStore routing against a real redis-server")
struct WorkerStoreRoutingTests {
    typealias Harness = WorkerStoreHarness

    @Test func routeWritesOneDeliveryPerTargetAndAcksAndDeletesTheIngressEntry() async throws {
        try await Harness.run { h in
            let event = Harness.event()
            let deliveries = try await h.ingestAndRoute(event)
            let keys = h.redis.keyspace

            let stored = try await h.streamEntries(keys.deliveries)
            #expect(stored.count == 3)
            #expect(stored.compactMap { Delivery(fields: Harness.fieldMap($0.fields)) } == deliveries)
            #expect(try await h.length(keys.ingress) == 0)
            #expect(try await h.pending(keys.ingress, group: Keyspace.routerGroup) == 0)
            #expect(try await h.length(keys.deadLetters) == 0)

            let record = try #require(try await h.store.eventRecord(source: "gemini", webhookID: "msg_1"))
            #expect(record == EventRecord(
                webhookID: "msg_1", source: "gemini", channel: "acme", eventType: "batch.completed",
                receivedAtMillis: event.receivedAtMillis, routedAtMillis: Harness.now, targets: Harness.targets
            ))
            // The record heads the event's log, in the key the edge created with the retention as
            // its expiry, after the acceptance time.
            let log = RedisArgument(keys.eventLog(source: "gemini", webhookID: "msg_1"))
            #expect((try await h.send(["GET", log]).string ?? "").hasPrefix(#"\#(event.receivedAtMillis){"event":{"webhook_id":"msg_1","#))
            #expect(try await h.logLines("msg_1").count == 1)
            #expect(try await h.expires(log, asSetTo: Harness.retention))
            #expect(try await h.store.eventRecord(source: "gemini", webhookID: "unknown") == nil)
        }
    }

    /// Over `maxmemory` (with `noeviction`), Redis refuses the route script as a whole, as it
    /// refuses the edge's ingest: expanding waiting events into their deliveries would grow
    /// memory by their fan-out. Nothing is written, the entry stays pending, and it is routed
    /// once memory allows.
    @Test func theRouteScriptIsRefusedWholeOverMaxmemory() async throws {
        try await Harness.run { h in
            let event = Harness.event()
            let entry = try await h.ingest(event)
            let deliveries = Harness.targets.map { Delivery(ingressID: entry.streamID, event: event, target: $0) }
            _ = try await h.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
            _ = try await h.send(["CONFIG", "SET", "maxmemory", "1"])
            do {
                _ = try await h.store.route(entry, event: event, deliveries: deliveries, nowMillis: Harness.now, retention: Harness.retention)
                Issue.record("the route script ran over maxmemory")
            } catch {
                #expect((error as? RedisError)?.isOOM == true, "\(error)")
            }
            _ = try await h.send(["CONFIG", "SET", "maxmemory", "0"])
            let keys = h.redis.keyspace
            #expect(try await h.length(keys.deliveries) == 0)
            #expect(try await h.pending(keys.ingress, group: Keyspace.routerGroup) == 1)
            #expect(try await h.logLines("msg_1").isEmpty)
            #expect(try await h.store.route(entry, event: event, deliveries: deliveries, nowMillis: Harness.now, retention: Harness.retention))
            #expect(try await h.length(keys.deliveries) == 3)
        }
    }

    @Test func readDeliveriesReturnsEachRoutedDeliveryOnce() async throws {
        try await Harness.run { h in
            let deliveries = try await h.ingestAndRoute(Harness.event())
            let read = try await h.store.readDeliveries(consumer: "worker-1", count: 10, block: .milliseconds(100))
            #expect(read.map(\.delivery) == deliveries)
            #expect(Set(read.map(\.streamID)).count == 3)
            #expect(try await h.pending(h.redis.keyspace.deliveries, group: Keyspace.deliveryGroup) == 3)
            // Nothing new for anyone after that; the block times out with an empty answer.
            #expect(try await h.store.readDeliveries(consumer: "worker-2", count: 10, block: .milliseconds(50)).isEmpty)
        }
    }

    @Test func routeWithoutDeliveriesDeadLettersTheEventAsNoRoute() async throws {
        try await Harness.run { h in
            let event = Harness.event()
            let entry = try await h.ingest(event)
            let routed = try await h.store.route(entry, event: event, deliveries: [], nowMillis: Harness.now, retention: Harness.retention)
            #expect(routed)
            #expect(try await h.length(h.redis.keyspace.deliveries) == 0)
            #expect(try await h.length(h.redis.keyspace.ingress) == 0)

            let letters = try await h.store.deadLetters()
            #expect(letters.count == 1)
            let letter = try #require(letters.first)
            #expect(letter.reason == .noRoute)
            #expect(letter.attempts == 0)
            #expect(letter.lastStatus == nil && letter.lastError == nil)
            #expect(letter.deadLetteredAtMillis == Harness.now)
            #expect(letter.delivery.target == EndpointRef(tenant: "", endpoint: ""))
            #expect(letter.delivery.event == event)
            #expect(letter.delivery.ingressID == entry.streamID)
            #expect(try await h.store.deadLetter(id: letter.id) == letter)
            #expect(try await h.store.eventRecord(source: "gemini", webhookID: "msg_1")?.targets == [])
        }
    }

    @Test func routingTheSameIngressEntryAgainAfterItsAckWritesNothing() async throws {
        try await Harness.run { h in
            let event = Harness.event()
            let entry = try await h.ingest(event)
            let deliveries = Harness.targets.map { Delivery(ingressID: entry.streamID, event: event, target: $0) }
            #expect(try await h.store.route(entry, event: event, deliveries: deliveries, nowMillis: Harness.now, retention: Harness.retention))
            // A second router that had claimed the same entry before the first one committed.
            #expect(!(try await h.store.route(entry, event: event, deliveries: deliveries, nowMillis: Harness.now + 5, retention: Harness.retention)))
            #expect(!(try await h.store.route(entry, event: event, deliveries: [], nowMillis: Harness.now + 5, retention: Harness.retention)))
            #expect(try await h.length(h.redis.keyspace.deliveries) == 3)
            #expect(try await h.length(h.redis.keyspace.deadLetters) == 0)
            #expect(try await h.store.eventRecord(source: "gemini", webhookID: "msg_1")?.routedAtMillis == Harness.now)
        }
    }

    @Test func staleIngressEntriesOfADeadRouterAreClaimedByAnother() async throws {
        try await Harness.run { h in
            let entry = try await h.ingest(Harness.event(), consumer: "dead-router")
            var claimed: [IngressEntry] = []
            try await poll(until: {
                claimed = try await h.store.claimStaleIngress(consumer: "alive-router", minIdle: .milliseconds(50), count: 10)
                return !claimed.isEmpty
            }, "the stale ingress entry to be claimed")
            #expect(claimed == [entry])
        }
    }

    /// One script routes a batch, each event under its own guard: an entry routed before is
    /// skipped, the others get their deliveries (or `no_route` dead letter) and event records, and
    /// every routed entry leaves the ingress stream.
    @Test func aBatchRoutesEachEventUnderItsOwnGuard() async throws {
        try await Harness.run { h in
            let ingress = IngressStore(client: h.redis.client, keyspace: h.redis.keyspace)
            let events = ["msg_a", "msg_b", "msg_c"].map { Harness.event(id: $0) }
            for event in events { _ = try await ingress.accept(event, dedupeWindow: .seconds(60), logRetention: Harness.retention) }
            let entries = try await h.store.readIngress(consumer: "router-1", count: 10, block: .zero)
            try #require(entries.count == 3)
            let first = [Delivery(ingressID: entries[0].streamID, event: events[0], target: Harness.targets[0])]
            #expect(try await h.store.route(entries[0], event: events[0], deliveries: first, nowMillis: Harness.now, retention: Harness.retention))

            let second = Harness.targets.map { Delivery(ingressID: entries[1].streamID, event: events[1], target: $0) }
            let routed = try await h.store.route(
                [
                    EventRouting(entry: entries[0], event: events[0], deliveries: first),
                    EventRouting(entry: entries[1], event: events[1], deliveries: second),
                    EventRouting(entry: entries[2], event: events[2], deliveries: []),
                ], nowMillis: Harness.now + 9, retention: Harness.retention)
            #expect(routed == [false, true, true])

            let keys = h.redis.keyspace
            let stored = try await h.streamEntries(keys.deliveries).compactMap { Delivery(fields: Harness.fieldMap($0.fields)) }
            #expect(stored == first + second)
            #expect(try await h.length(keys.ingress) == 0)
            #expect(try await h.pending(keys.ingress, group: Keyspace.routerGroup) == 0)
            let letters = try await h.store.deadLetters()
            #expect(letters.map(\.reason) == [.noRoute])
            #expect(letters.first?.delivery.event == events[2])
            #expect(try await h.store.eventRecord(source: "gemini", webhookID: "msg_a")?.routedAtMillis == Harness.now)
            #expect(try await h.store.eventRecord(source: "gemini", webhookID: "msg_b")?.targets == Harness.targets)
            #expect(try await h.store.eventRecord(source: "gemini", webhookID: "msg_c")?.targets == [])
            let ttl = try await h.send(["PTTL", RedisArgument(keys.eventLog(source: "gemini", webhookID: "msg_b"))]).int ?? -1
            #expect(ttl > 0 && ttl <= 3_600_000)
        }
    }

    /// After an event's first delivery the router sends only each other delivery's tenant and
    /// endpoint; the entries must still hold every field, in the order `Delivery.fields()` gives.
    /// A delivery that differs in more than its target is sent whole.
    @Test func everyDeliveryIsStoredFieldForFieldWhetherSentWholeOrAsItsTarget() async throws {
        try await Harness.run { h in
            let event = Harness.event()
            let entry = try await h.ingest(event)
            var deliveries = Harness.targets.map { Delivery(ingressID: entry.streamID, event: event, target: $0) }
            var retried = Delivery(ingressID: entry.streamID, event: event, target: EndpointRef(tenant: "globex", endpoint: "retry"))
            retried.attempt = 2
            retried.lastStatus = 503
            deliveries.insert(retried, at: 2)
            let routed = try await h.store.route(
                [EventRouting(entry: entry, event: event, deliveries: deliveries)], nowMillis: Harness.now, retention: Harness.retention)
            #expect(routed == [true])
            let stored = try await h.streamEntries(h.redis.keyspace.deliveries).map { entry in entry.fields.map { $0.bytes ?? [] } }
            let expected = deliveries.map { delivery in delivery.fields().flatMap { [Array($0.0.utf8), $0.1] } }
            #expect(stored.count == expected.count)
            for (got, want) in zip(stored, expected) {
                #expect(got == want, "\(got.map { String(decoding: $0, as: UTF8.self) })")
            }
        }
    }

    @Test func anEntryListedTwiceInOneBatchIsRoutedOnce() async throws {
        try await Harness.run { h in
            let event = Harness.event()
            let entry = try await h.ingest(event)
            let deliveries = [Delivery(ingressID: entry.streamID, event: event, target: Harness.targets[0])]
            let routing = EventRouting(entry: entry, event: event, deliveries: deliveries)
            let routed = try await h.store.route([routing, routing], nowMillis: Harness.now, retention: Harness.retention)
            #expect(routed == [true, false])
            #expect(try await h.length(h.redis.keyspace.deliveries) == 1)
            #expect(try await h.logLines("msg_1").count == 1)
        }
    }

    @Test func eventsRoutedByEarlierVersionsKeepTheirRecordHash() async throws {
        try await Harness.run { h in
            let key = RedisArgument(h.redis.keyspace.event(webhookID: "msg_old"))
            _ = try await h.send([
                "HSET", key, "webhook_id", "msg_old", "source", "gemini", "channel", "", "type", "video.generated",
                "received_at", "1000", "routed_at", "2000", "targets", "acme/main,ops/audit",
            ])
            let record = try #require(try await h.store.eventRecord(source: "gemini", webhookID: "msg_old"))
            #expect(record == EventRecord(
                webhookID: "msg_old", source: "gemini", channel: nil, eventType: "video.generated",
                receivedAtMillis: 1000, routedAtMillis: 2000,
                targets: [EndpointRef(tenant: "acme", endpoint: "main"), EndpointRef(tenant: "ops", endpoint: "audit")]
            ))
        }
    }
}
