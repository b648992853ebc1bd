import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@Suite("IngressStore against a real redis-server")
struct IngressStoreTests {
    static func event(id: String = "msg_1", channel: String? = "acme") -> IngressEvent {
        IngressEvent(
            webhookID: id,
            source: "gemini",
            channel: channel,
            eventType: "batch.completed",
            webhookTimestamp: 1_700_000_000,
            receivedAtMillis: 1_700_000_000_123,
            body: Array(#"{"type":"batch.completed","data":{"x":"é"}}"#.utf8) + [0xFF, 0x00]
        )
    }

    static func entries(_ redis: RedisFixture) async throws -> [RedisReply] {
        try await redis.client.send(["XRANGE", RedisArgument(redis.keyspace.ingress), "-", "+"]).array ?? []
    }

    @Test func acceptedEventIsOneStreamEntryThatDecodesBack() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            let event = Self.event()
            let outcome = try await store.accept(event, dedupeWindow: .seconds(3600))
            guard case .accepted(let streamID) = outcome else {
                Issue.record("expected accepted, got \(outcome)")
                return
            }
            let entries = try await Self.entries(redis)
            #expect(entries.count == 1)
            let entry = try #require(entries.first?.array)
            #expect(entry[0].string == streamID)
            let fields = try #require(entry[1].array)
            let names = stride(from: 0, to: fields.count, by: 2).compactMap { fields[$0].string }
            #expect(names == ["id", "source", "channel", "type", "ts", "received_at", "body"])
            #expect(IngressEvent.decode(fields: fields) == event)
            // The dedupe marker holds when the event was accepted.
            let marker = try await redis.client.send(["GET", RedisArgument(redis.keyspace.eventLog(source: "gemini", webhookID: "msg_1"))])
            #expect(marker.string == String(event.receivedAtMillis))
        }
    }

    @Test func eventWithoutChannelDecodesWithNilChannel() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            let event = Self.event(channel: nil)
            _ = try await store.accept(event, dedupeWindow: .seconds(60))
            let fields = try #require(try await Self.entries(redis).first?.array?[1].array)
            #expect(IngressEvent.decode(fields: fields) == event)
        }
    }

    @Test func duplicateWebhookIDIsAcceptedOnce() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            let first = try await store.accept(Self.event(), dedupeWindow: .seconds(60))
            let second = try await store.accept(Self.event(), dedupeWindow: .seconds(60))
            #expect(first != .duplicate)
            #expect(second == .duplicate)
            #expect(try await Self.entries(redis).count == 1)
            // The same id from another source is a different event.
            var other = Self.event()
            other.source = "other"
            #expect(try await store.accept(other, dedupeWindow: .seconds(60)) != .duplicate)
        }
    }

    @Test func concurrentAcceptsOfOneWebhookIDStoreExactlyOneEntry() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await store.accept(Self.event(id: "race"), dedupeWindow: .seconds(60)) }
                }
                var all: [IngestOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0 != .duplicate }.count == 1)
            #expect(outcomes.filter { $0 == .duplicate }.count == 49)
            #expect(try await Self.entries(redis).count == 1)
        }
    }

    @Test func eventKeyLivesForTheLongerOfTheWindowAndTheLogRetention() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            func ttl(_ id: String) async throws -> Int64 {
                try #require(try await redis.client.send(["PTTL", RedisArgument(redis.keyspace.eventLog(source: "gemini", webhookID: id))]).int)
            }
            _ = try await store.accept(Self.event(id: "short_window"), dedupeWindow: .seconds(72 * 3600), logRetention: .seconds(7 * 86400))
            #expect(try await ttl("short_window") > 7 * 86400 * 1000 - 5000)
            #expect(try await ttl("short_window") <= 7 * 86400 * 1000)
            _ = try await store.accept(Self.event(id: "long_window"), dedupeWindow: .seconds(10 * 86400), logRetention: .seconds(7 * 86400))
            #expect(try await ttl("long_window") > 10 * 86400 * 1000 - 5000)
        }
    }

    @Test func repeatedIDPastTheWindowIsAcceptedAgainAndKeepsTheLog() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            let first = Self.event()
            _ = try await store.accept(first, dedupeWindow: .seconds(60))
            let key = RedisArgument(redis.keyspace.eventLog(source: "gemini", webhookID: "msg_1"))
            _ = try await redis.client.send(["APPEND", key, #"{"event":{}}\#n"#])
            var inside = first
            inside.receivedAtMillis += 59_999
            #expect(try await store.accept(inside, dedupeWindow: .seconds(60)) == .duplicate)
            var past = first
            past.receivedAtMillis += 60_000
            #expect(try await store.accept(past, dedupeWindow: .seconds(60)) != .duplicate)
            #expect(try await Self.entries(redis).count == 2)
            // The new acceptance time heads the key; the log written after the first stays.
            #expect(try await redis.client.send(["GET", key]).string == "\(past.receivedAtMillis){\"event\":{}}\n")
            // And it dedupes from then on.
            #expect(try await store.accept(past, dedupeWindow: .seconds(60)) == .duplicate)
        }
    }

    @Test func markerOfAnEarlierVersionStillDedupes() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            let event = Self.event()
            // Earlier versions wrote the acceptance time alone, with the window as its expiry.
            let key = RedisArgument(redis.keyspace.eventLog(source: "gemini", webhookID: "msg_1"))
            _ = try await redis.client.send(["SET", key, RedisArgument(event.receivedAtMillis - 1000), "PX", "60000"])
            #expect(try await store.accept(event, dedupeWindow: .seconds(60)) == .duplicate)
            #expect(try await Self.entries(redis).isEmpty)
        }
    }

    @Test func outOfMemoryRefusesTheEventAndWritesNothing() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            // Load the script first so the refusal comes from the writes, not from EVAL's caching.
            _ = try await redis.client.send(["SCRIPT", "LOAD", "return 1"])
            _ = try await redis.client.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
            _ = try await redis.client.send(["CONFIG", "SET", "maxmemory", "1"])
            do throws(RedisError) {
                let outcome = try await store.accept(Self.event(), dedupeWindow: .seconds(60))
                Issue.record("expected OOM, got \(outcome)")
            } catch {
                #expect(error.kind == .server)
                #expect(error.isOOM, "\(error)")
                #expect(error.serverCode == "OOM", "\(error)")
                #expect(error.isUnavailable)
                #expect(!error.isConnectionProblem)
            }
            _ = try await redis.client.send(["CONFIG", "SET", "maxmemory", "0"])
            let key = RedisArgument(redis.keyspace.eventLog(source: "gemini", webhookID: "msg_1"))
            #expect(try await redis.client.send(["EXISTS", key]) == .integer(0))
            #expect(try await redis.client.send(["EXISTS", RedisArgument(redis.keyspace.ingress)]) == .integer(0))
            // Once memory is available again, the sender's retry is accepted, not called a duplicate.
            #expect(try await store.accept(Self.event(), dedupeWindow: .seconds(60)) != .duplicate)
        }
    }

    @Test func readOnlyReplicaRefusalSurfacesAsAnError() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            // A replica of an unreachable primary is read-only.
            _ = try await redis.client.send(["REPLICAOF", "127.0.0.1", "1"])
            do throws(RedisError) {
                _ = try await store.accept(Self.event(), dedupeWindow: .seconds(60))
                Issue.record("expected READONLY")
            } catch {
                #expect(error.isReadOnly, "\(error)")
                #expect(error.isUnavailable)
            }
            _ = try await redis.client.send(["REPLICAOF", "NO", "ONE"])
            #expect(try await Self.entries(redis).isEmpty)
        }
    }
}

@Suite("Reading the ingress stream as the worker will")
struct IngressStreamReadingTests {
    @Test func consumerGroupReadDecodesAcceptedEvents() async throws {
        try await withRedis { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            let event = IngressStoreTests.event()
            guard case .accepted(let streamID) = try await store.accept(event, dedupeWindow: .seconds(60)) else {
                Issue.record("expected accepted")
                return
            }
            let ingress = RedisArgument(redis.keyspace.ingress)
            _ = try await redis.client.send(["XGROUP", "CREATE", ingress, RedisArgument(Keyspace.routerGroup), "0"])
            let reply = try await redis.client.send([
                "XREADGROUP", "GROUP", RedisArgument(Keyspace.routerGroup), "c1", "COUNT", 10,
                "STREAMS", ingress, ">",
            ])
            let entries = RedisStreamEntry.streams(from: reply)[redis.keyspace.ingress] ?? []
            #expect(entries.map(\.id) == [streamID])
            #expect(entries.first?[field: "id"]?.string == "msg_1")
            #expect(entries.first.flatMap { IngressEvent.decode(fields: $0.fields) } == event)
        }
    }
}
