import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@Suite("The recovery archive and `sluice replay --endpoint`, against a real redis-server")
struct WorkerStoreRecoveryTests {
    typealias Harness = WorkerStoreHarness
    static let main = EndpointRef(tenant: "acme", endpoint: "main")

    static func stores(_ h: Harness) -> WorkerStores {
        WorkerStores(url: h.redis.url, prefix: h.redis.prefix, count: 1, logger: h.redis.logger)
    }

    @Test func routedEventsAreArchivedWithTheirTargetsAndRecoveredForOneEndpoint() async throws {
        try await Harness.run { h in
            let window = Duration.seconds(3600)
            let realNow = Int64(Date().timeIntervalSince1970 * 1000)
            for (id, targets) in [("msg_1", [Self.main, Harness.targets[1]]), ("msg_2", [Harness.targets[2]]), ("msg_3", [])] {
                let event = Harness.event(id: id)
                let entry = try await h.ingest(event)
                let deliveries = targets.map { Delivery(ingressID: entry.streamID, event: event, target: $0) }
                #expect(try await h.store.route(entry, event: event, deliveries: deliveries, nowMillis: realNow, retention: Harness.retention, recoveryWindow: window))
            }
            // Events with deliveries are archived (a no_route one has nothing to send again).
            let archived = try await h.streamEntries(h.redis.keyspace.archive)
            try #require(archived.count == 2)
            #expect(String(decoding: Harness.fieldMap(archived[0].fields)["targets"] ?? [], as: UTF8.self) == "acme/main,acme/audit")
            #expect(Harness.fieldMap(archived[0].fields)["body"] == Harness.event(id: "msg_1").body)

            // The event's log names its archive entry, so its body is two lookups away; the log
            // still reads as before.
            let kept = try #require(try await h.store.archivedEvent(source: "gemini", webhookID: "msg_1"))
            #expect(kept.event == Harness.event(id: "msg_1") && kept.targets == [Self.main, Harness.targets[1]])
            #expect(try await h.store.archivedEvent(source: "gemini", webhookID: "msg_3") == nil)
            #expect(try await h.store.eventLog(source: "gemini", webhookID: "msg_1").record?.targets == [Self.main, Harness.targets[1]])

            // The deliveries stream holds the 3 routed deliveries; recovery adds acme/main's again.
            let stores = Self.stores(h)
            defer { stores.shutdown() }
            let before = try await h.length(h.redis.keyspace.deliveries)
            let dry = try await stores.recover(endpoint: Self.main, sinceMillis: realNow - 60_000, dryRun: true)
            #expect(dry.scanned == 2 && dry.found == 1 && dry.enqueued == 0)
            #expect(try await h.length(h.redis.keyspace.deliveries) == before)
            let done = try await stores.recover(endpoint: Self.main, sinceMillis: realNow - 60_000)
            #expect(done.found == 1 && done.enqueued == 1)
            let added = try await h.streamEntries(h.redis.keyspace.deliveries).last
            let fields = Harness.fieldMap(try #require(added).fields)
            #expect(fields["webhook_id"].map { String(decoding: $0, as: UTF8.self) } == "msg_1")
            #expect(fields["endpoint"].map { String(decoding: $0, as: UTF8.self) } == "main")
            #expect(fields["attempt"].map { String(decoding: $0, as: UTF8.self) } == "1")
            // Nothing before `since`, nothing after `until`.
            #expect(try await stores.recover(endpoint: Self.main, sinceMillis: realNow + 60_000, dryRun: true).found == 0)
            #expect(try await stores.recover(endpoint: Self.main, sinceMillis: 0, untilMillis: realNow - 60_000, dryRun: true).found == 0)
        }
    }

    /// A `no_route` event had nothing to archive when it was routed; once its dead letter is
    /// replayed to endpoints under a recovery window it is archived then, so `sluice replay
    /// --endpoint` finds it like any routed event. Without a window nothing is archived.
    @Test func aNoRouteEventReplayedToAnEndpointIsArchived() async throws {
        try await Harness.run { h in
            let window = Duration.seconds(3600)
            let realNow = Int64(Date().timeIntervalSince1970 * 1000)
            for id in ["msg_1", "msg_2"] {
                let event = Harness.event(id: id)
                #expect(try await h.store.route(try await h.ingest(event), event: event, deliveries: [], nowMillis: realNow, retention: Harness.retention, recoveryWindow: window))
            }
            #expect(try await h.length(h.redis.keyspace.archive) == 0)
            let letters = try await h.store.deadLetters()
            #expect(letters.map(\.reason) == [.noRoute, .noRoute])
            func replay(_ letter: DeadLetterEntry, window: Duration) async throws -> Bool {
                let delivery = Delivery(ingressID: letter.delivery.ingressID, event: letter.delivery.event, target: Self.main, scheduledAtMillis: realNow)
                return try await h.store.replay(deadLetterID: letter.id, with: [delivery], archiveWindow: window)
            }
            #expect(try await replay(letters[0], window: .zero))
            #expect(try await h.length(h.redis.keyspace.archive) == 0)
            #expect(try await replay(letters[1], window: window))
            let archived = try #require(try await h.store.archivedEvent(source: "gemini", webhookID: "msg_2"))
            #expect(archived.event == Harness.event(id: "msg_2") && archived.targets == [Self.main])
            #expect(try await h.length(h.redis.keyspace.archive) == 1)
            // Replaying again does nothing, the archive included.
            #expect(!(try await replay(letters[1], window: window)))
            #expect(try await h.length(h.redis.keyspace.archive) == 1)

            let stores = Self.stores(h)
            defer { stores.shutdown() }
            let found = try await stores.recover(endpoint: Self.main, sinceMillis: realNow - 60_000, dryRun: true)
            #expect(found.found == 1)
        }
    }

    @Test func withoutAWindowNothingIsArchivedAndTheArchiveKeepsOnlyTheWindow() async throws {
        try await Harness.run { h in
            let realNow = Int64(Date().timeIntervalSince1970 * 1000)
            let first = Harness.event(id: "msg_1")
            // Routed without a window: not archived.
            let entry = try await h.ingest(first)
            try await h.store.route(entry, event: first, deliveries: [Delivery(ingressID: entry.streamID, event: first, target: Self.main)], nowMillis: realNow, retention: Harness.retention)
            #expect(try await h.length(h.redis.keyspace.archive) == 0)
            // The archive keeps the window by Redis's clock: routed with a 1 s window once Redis's
            // clock is past the second event's archive time plus that window, the next call trims
            // it. (Not 1 ms: the trim reads `TIME` while the entry it just added carries the
            // script's start time, and a loaded machine can stretch a script past a millisecond.)
            let window = Duration.seconds(1)
            let second = Harness.event(id: "msg_2")
            let secondEntry = try await h.ingest(second)
            try await h.store.route(
                secondEntry, event: second, deliveries: [Delivery(ingressID: secondEntry.streamID, event: second, target: Self.main)],
                nowMillis: realNow, retention: Harness.retention, recoveryWindow: .seconds(3600))
            let archivedEntry = try #require(try await h.streamEntries(h.redis.keyspace.archive).first)
            let archivedAt = Int64(archivedEntry.id.split(separator: "-")[0]) ?? 0
            try await poll(until: {
                let time = try await h.send(["TIME"]).array?.compactMap(\.string).compactMap { Int64($0) } ?? []
                return time.count == 2 && time[0] * 1000 + time[1] / 1000 > archivedAt + window.wholeMilliseconds + 2
            }, "Redis's clock passes the archived event plus the window")
            let third = Harness.event(id: "msg_3")
            let thirdEntry = try await h.ingest(third)
            try await h.store.route(
                thirdEntry, event: third, deliveries: [Delivery(ingressID: thirdEntry.streamID, event: third, target: Self.main)],
                nowMillis: realNow, retention: Harness.retention, recoveryWindow: window)
            let kept = try await h.streamEntries(h.redis.keyspace.archive)
            try #require(kept.count == 1)
            #expect(Harness.fieldMap(kept[0].fields)["webhook_id"] == Array("msg_3".utf8))

            // The window turned off: the next routing empties the archive, which would otherwise
            // keep bodies past any window and still feed `sluice replay`.
            let fourth = Harness.event(id: "msg_4")
            let fourthEntry = try await h.ingest(fourth)
            try await h.store.route(
                fourthEntry, event: fourth, deliveries: [Delivery(ingressID: fourthEntry.streamID, event: fourth, target: Self.main)],
                nowMillis: realNow, retention: Harness.retention)
            #expect(try await h.length(h.redis.keyspace.archive) == 0)
        }
    }
}
