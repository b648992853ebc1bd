import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// A `WorkerStore` on a private redis-server, with helpers to put events on the ingress stream
/// the way the edge does and to look at the raw keys.
struct WorkerStoreHarness {
    let redis: RedisFixture
    let store: WorkerStore
    /// Before anything was written: every expiry a test reads was set after it.
    let startedAt = ContinuousClock.now
    static let now: Int64 = 1_700_000_100_000
    static let retention: Duration = .seconds(3600)

    static func event(id: String = "msg_1", body: [UInt8]? = nil) -> IngressEvent {
        IngressEvent(
            webhookID: id,
            source: "gemini",
            channel: "acme",
            eventType: "batch.completed",
            webhookTimestamp: 1_700_000_000,
            receivedAtMillis: 1_700_000_000_123,
            body: body ?? Array(#"{"type":"batch.completed","data":{"x":"é"}}"#.utf8)
        )
    }

    static let targets = [
        EndpointRef(tenant: "acme", endpoint: "main"),
        EndpointRef(tenant: "acme", endpoint: "audit"),
        EndpointRef(tenant: "globex", endpoint: "hook"),
    ]

    /// Runs `body` with a store whose blocking client is shut down afterwards.
    static func run(_ body: (WorkerStoreHarness) async throws -> Void) async throws {
        try await withRedis { redis in
            let blocking = RedisClient(url: redis.url, logger: redis.logger, commandTimeout: .seconds(30))
            defer { blocking.shutdown() }
            let store = WorkerStore(client: redis.client, blockingClient: blocking, keyspace: redis.keyspace)
            try await store.ensureGroups()
            try await body(WorkerStoreHarness(redis: redis, store: store))
        }
    }

    /// Accepts `event` on the ingress stream (as the edge does) and reads it as router `consumer`.
    func ingest(_ event: IngressEvent, consumer: String = "router-1") async throws -> IngressEntry {
        let ingress = IngressStore(client: redis.client, keyspace: redis.keyspace)
        _ = try await ingress.accept(event, dedupeWindow: .seconds(60), logRetention: Self.retention)
        let entries = try await store.readIngress(consumer: consumer, count: 10, block: .zero)
        try #require(entries.count == 1)
        #expect(entries[0].event == event)
        return entries[0]
    }

    /// Whether `key` expires as `retention` set during this test would: in at most `retention`, and
    /// in no less than `retention` minus the time the test has taken so far — on a loaded machine
    /// that is seconds, so a fixed slack would fail there.
    func expires(_ key: RedisArgument, asSetTo retention: Duration) async throws -> Bool {
        let ttl = try await send(["PTTL", key]).int ?? -1
        let elapsed = ContinuousClock.now - startedAt
        // A millisecond of rounding either way between Redis's clock and this one.
        return ttl <= retention.wholeMilliseconds && ttl >= retention.wholeMilliseconds - elapsed.wholeMilliseconds - 2
    }

    /// The lines of an event's log, as `redis-cli GET` shows them after the acceptance time.
    func logLines(_ webhookID: String) async throws -> [String] {
        let value = try await send(["GET", RedisArgument(redis.keyspace.eventLog(source: "gemini", webhookID: webhookID))]).string ?? ""
        return value.drop { $0.isASCII && $0.isNumber }.split(separator: "\n").map(String.init)
    }

    /// Ingests `event` and routes it to `targets`; returns the deliveries written.
    @discardableResult
    func ingestAndRoute(_ event: IngressEvent, to targets: [EndpointRef] = Self.targets) async throws -> [Delivery] {
        let entry = try await ingest(event)
        let deliveries = targets.map { Delivery(ingressID: entry.streamID, event: event, target: $0) }
        let routed = try await store.route(entry, event: event, deliveries: deliveries, nowMillis: Self.now, retention: Self.retention)
        #expect(routed)
        return deliveries
    }

    /// Reads exactly one delivery as `consumer`.
    func readOne(consumer: String = "worker-1") async throws -> DeliveryEntry {
        let entries = try await store.readDeliveries(consumer: consumer, count: 10, block: .zero)
        try #require(entries.count == 1, "expected one delivery, got \(entries.count)")
        return entries[0]
    }

    func send(_ command: [RedisArgument]) async throws -> RedisReply {
        try await redis.client.send(command)
    }

    func length(_ key: String) async throws -> Int {
        Int(try await send(["XLEN", RedisArgument(key)]).int ?? -1)
    }

    func streamEntries(_ key: String) async throws -> [RedisStreamEntry] {
        RedisStreamEntry.entries(from: try await send(["XRANGE", RedisArgument(key), "-", "+"]))
    }

    func pending(_ key: String, group: String) async throws -> Int {
        Int(try await send(["XPENDING", RedisArgument(key), RedisArgument(group)]).array?.first?.int ?? -1)
    }

    static func fieldMap(_ fields: [RedisReply]) -> [String: [UInt8]] {
        var map: [String: [UInt8]] = [:]
        for index in stride(from: 0, to: fields.count - 1, by: 2) {
            if let name = fields[index].string, let value = fields[index + 1].bytes { map[name] = value }
        }
        return map
    }

    static func attempt(_ number: Int, status: Int?, outcome: AttemptRecord.Outcome, at: Int64 = now, reason: DeadLetterReason? = nil) -> AttemptRecord {
        AttemptRecord(atMillis: at, attempt: number, status: status, durationMillis: 12, error: status.map { "HTTP \($0)" }, outcome: outcome, reason: reason)
    }
}
