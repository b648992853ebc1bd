import Foundation
import Logging
import Metrics
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceTesting
import Synchronization
import Testing

@testable import SluiceWorker

@Suite("The router stage")
struct RouterStageTests {
    /// Runs `body` with a router stage on `redis` that routes every event to one endpoint and
    /// whose writes time out after `writeTimeout`; its reads wait up to 30 s, so they wait out a
    /// pause. With `running`, the stage runs meanwhile, waiting on the ingress stream 20 s at a
    /// time and not looking for stale entries, so it is found waiting there.
    /// `routes` replaces the routes text (by default every event goes to one endpoint), `factory`
    /// takes the stage's metrics, and `configure` changes the stage before it runs.
    static func withStage(
        _ redis: RedisFixture, logger: Logger, writeTimeout: Duration, running: Bool = false, routes text: String? = nil,
        factory: any MetricsFactory = NOOPMetricsHandler.instance, configure: (inout RouterStage) -> Void = { _ in },
        _ body: (RouterStage, WorkerStore) async throws -> Void
    ) async throws {
        let text = text ?? WorkerHarness.acmeMain(prefix: redis.prefix, url: "http://127.0.0.1:9/hook")
        let routes = try #require(RoutesLoader.load(text: text, path: "routes.yaml", environment: [:], readSecretFile: { _ in "" }).config)
        let client = RedisClient(url: redis.url, logger: logger, commandTimeout: writeTimeout)
        let blocking = RedisClient(url: redis.url, logger: logger, commandTimeout: .seconds(30))
        let store = WorkerStore(client: client, blockingClient: blocking, keyspace: redis.keyspace)
        var stage = RouterStage(
            state: WorkerState(routes: routes), store: store, consumer: "router-1", logger: logger, clock: { Date() },
            undecodable: UndecodableEntries(store: store, logger: logger, factory: factory),
            deadLetters: DeadLetterMetrics(factory: factory))
        stage.block = .seconds(20)
        stage.claimInterval = .seconds(3600)
        configure(&stage)
        let task: Task<Void, any Error>? = running ? Task { [stage] in try await stage.run() } : nil
        // Shut down, the waiting read ends at once and the stage sees its cancellation.
        func stop() async {
            task?.cancel()
            client.shutdown()
            blocking.shutdown()
            _ = await task?.result
        }
        do {
            try await store.ensureGroups()
            try await body(stage, store)
        } catch {
            await stop()
            throw error
        }
        await stop()
    }

    /// An `XADD` of an event to the ingress stream, with the fields the edge writes.
    static func add(_ id: String, to redis: RedisFixture) -> [RedisArgument] {
        let now = Date()
        return [
            "XADD", RedisArgument(redis.keyspace.ingress), "*",
            "id", RedisArgument(id), "source", "gemini", "channel", "", "type", "batch.succeeded",
            "ts", RedisArgument(Int64(now.timeIntervalSince1970)), "received_at", RedisArgument(now.unixMillis),
            "body", RedisArgument(#"{"type":"batch.succeeded"}"#),
        ]
    }

    /// Adds the events `ids` to the ingress stream and reads them as the stage would.
    static func addAndRead(_ ids: [String], redis: RedisFixture, store: WorkerStore) async throws -> [IngressEntry] {
        _ = try await redis.client.pipeline(ids.map { add($0, to: redis) })
        let entries = try await store.readIngress(consumer: "router-1", count: 10, block: .zero)
        try #require(entries.count == ids.count)
        return entries
    }

    /// The webhook-ids of the deliveries stream's entries, in stream order (read with `XRANGE`,
    /// which a pause of writes does not hold).
    static func routedIDs(_ redis: RedisFixture) async throws -> [String] {
        let entries = try await redis.client.send(["XRANGE", RedisArgument(redis.keyspace.deliveries), "-", "+"]).array ?? []
        return entries.compactMap { $0.array?.last?.array }.compactMap { fields in
            stride(from: 0, to: fields.count - 1, by: 2).first { fields[$0].string == "webhook_id" }.flatMap { fields[$0 + 1].string }
        }
    }

    /// A route write that times out (Redis holding writes for a moment) is tried again within a
    /// couple of seconds, so the batch reaches the deliveries stream then — once, in order — not
    /// a visibility timeout later (45 s by default) behind every event read after it.
    @Test func aRouteWriteThatTimesOutIsTriedAgainWithinSecondsNotLeftForTheVisibilityTimeout() async throws {
        try await withRedis { redis in
            let capture = LogCapture()
            try await Self.withStage(redis, logger: capture.logger(label: "sluice.test.router"), writeTimeout: .seconds(1)) { stage, store in
                let ids = (0..<3).map { "msg_router_\($0)" }
                let entries = try await Self.addAndRead(ids, redis: redis, store: store)

                // Writes held for 3 s against the 1 s timeout: the first try times out, a later
                // one (5 tries, 200 ms to 800 ms apart) goes through.
                _ = try await redis.client.send(["CLIENT", "PAUSE", "3000", "WRITE"])
                let outcome = await stage.route(entries)
                #expect(outcome.written && outcome.held.isEmpty, "\(outcome.held.count) held: \(String(describing: outcome.error))")

                #expect(capture.text.contains("no reply from Redis"), "no try timed out while writes were held: \(capture.text)")
                #expect(!capture.text.contains("could not be routed"), "\(capture.text)")
                #expect(try await Self.routedIDs(redis) == ids, "each event routed once, in order")
                let pending = try await redis.client.send(["XPENDING", RedisArgument(redis.keyspace.ingress), RedisArgument(Keyspace.routerGroup)])
                #expect(pending.array?.first?.int == 0, "the ingress entries are acknowledged: \(pending)")
            }
        }
    }

    /// When Redis holds writes for longer than the write's own retries, the router holds the
    /// batch and sends it again before it reads anything newer: once writes go through, the
    /// batch reaches the deliveries stream first and an event accepted later comes after it.
    @Test func aBatchRedisDoesNotTakeIsHeldAndRoutedBeforeAnythingNewer() async throws {
        try await withRedis { redis in
            let capture = LogCapture()
            try await Self.withStage(redis, logger: capture.logger(label: "sluice.test.router"), writeTimeout: .milliseconds(300), running: true) { _, _ in
                try await poll(until: {
                    let clients = (try await redis.client.send(["CLIENT", "LIST"]).string ?? "").split(separator: "\n")
                    return clients.contains { $0.contains("cmd=xreadgroup") && $0.contains("flags=b") }
                }, "the router waits on the ingress stream")

                // Three events in one transaction and, in the same write, 8 s of held writes: Redis
                // hands the entries to the router's waiting read right after the transaction, so the
                // pause starts between its read and its route write (5 tries, about 3.5 s with the
                // timeouts, then held).
                let held = (0..<3).map { "msg_held_\($0)" }
                let replies = try await redis.client.pipeline(
                    [["MULTI"]] + held.map { Self.add($0, to: redis) } + [["EXEC"], ["CLIENT", "PAUSE", "8000", "WRITE"]])
                #expect(replies.last?.string == "OK", "\(replies)")
                try await poll(until: {
                    capture.text.contains("router stage cannot write routed events to Redis; holding them")
                }, "the router holds the batch")
                // Accepted while the batch is held: read only after it (the add waits out the pause).
                _ = try await redis.client.send(Self.add("msg_later", to: redis))

                var routed: [String] = []
                try await poll(until: {
                    routed = try await Self.routedIDs(redis)
                    return routed.count >= 4
                }, "every event is routed well before a reclaim (45 s)")
                #expect(routed == held + ["msg_later"], "the held batch first, each once: \(routed)")
                #expect(capture.text.contains("router stage writing routed events again"), "\(capture.text)")
            }
        }
    }

    /// How many times the route script was called.
    final class Tries: Sendable {
        let count = Mutex(0)
    }

    /// The route script's own write, but for batches holding `poisoned`'s event, which fail as a
    /// timeout before reaching Redis (Redis taking every other batch).
    static func failing(_ poisoned: String) -> @Sendable (WorkerStore, [EventRouting], Int64, Duration, WorkerConfig) async throws(RedisError) -> [Bool] {
        { store, routings, nowMillis, retention, worker throws(RedisError) in
            if routings.contains(where: { $0.event.webhookID == poisoned }) { throw RedisError(kind: .timeout, message: "no reply from Redis (test)") }
            return try await store.route(routings, nowMillis: nowMillis, retention: retention, eventIndex: worker.eventIndex)
        }
    }

    /// A `no_route` dead letter written by a try whose reply was lost is counted: the next try
    /// finds the entry settled and skips it, and the count must not depend on which try wrote it.
    @Test func aNoRouteDeadLetterWrittenByATryWhoseReplyWasLostIsCounted() async throws {
        try await withRedis { redis in
            let exporter = PrometheusExporter()
            let tries = Tries()
            let nothingMatches = WorkerHarness.acmeMain(prefix: redis.prefix, url: "http://127.0.0.1:9/hook")
                .replacingOccurrences(of: "match: {source: gemini}", with: "match: {source: gemini, events: [video.done]}")
            try await Self.withStage(redis, logger: Logger(label: "sluice.test.router"), writeTimeout: .seconds(5), routes: nothingMatches, factory: exporter.factory, configure: {
                $0.writeRoutings = { store, routings, nowMillis, retention, worker throws(RedisError) in
                    let routed = try await store.route(routings, nowMillis: nowMillis, retention: retention, eventIndex: worker.eventIndex)
                    // The first try is applied, but its reply never arrives.
                    if tries.count.withLock({ $0 += 1; return $0 }) == 1 { throw RedisError(kind: .timeout, message: "no reply from Redis (test)") }
                    return routed
                }
            }) { stage, store in
                let ids = (0..<3).map { "msg_unrouted_\($0)" }
                let entries = try await Self.addAndRead(ids, redis: redis, store: store)
                let outcome = await stage.route(entries)
                #expect(outcome.written && outcome.held.isEmpty)
                #expect(tries.count.withLock { $0 } == 2)
                #expect(try await redis.client.send(["XLEN", RedisArgument(redis.keyspace.deadLetters)]).int == 3)
                let metrics = String(decoding: exporter.render(), as: UTF8.self)
                #expect(metrics.contains(#"sluice_dead_letters_total{reason="no_route"} 3"#), "\(metrics)")
            }
        }
    }

    /// A batch that fails on its own for longer than the visibility timeout (Redis taking every
    /// other write) is left to the reclaim, and the router reads on: its own claim does not take
    /// the batch straight back and hold it again.
    @Test func aBatchHeldPastTheVisibilityTimeoutNoLongerStopsTheRouter() async throws {
        try await withRedis { redis in
            let capture = LogCapture()
            let routes = WorkerHarness.acmeMain(prefix: redis.prefix, url: "http://127.0.0.1:9/hook", "timeout: 1s")
                + "\nworker: {visibility_timeout: 8s}\n"
            try await Self.withStage(redis, logger: capture.logger(label: "sluice.test.router"), writeTimeout: .seconds(5), running: true, routes: routes, configure: {
                $0.block = .milliseconds(100)
                $0.claimInterval = .milliseconds(100)
                $0.writeRoutings = Self.failing("msg_poison")
            }) { _, _ in
                _ = try await redis.client.send(Self.add("msg_poison", to: redis))
                try await poll(until: { capture.text.contains("held longer than worker.visibility_timeout") }, "the batch is given up on")
                _ = try await redis.client.send(Self.add("msg_after", to: redis))
                try await poll(until: { try await Self.routedIDs(redis).contains("msg_after") }, "a later event is routed")
            }
        }
    }

    /// An event whose write fails for a reason of its own (a script error) does not keep the
    /// rest of its call from being routed: they are tried one by one, and only it stays pending.
    @Test func anEventThatCannotBeWrittenLeavesOnlyItselfPending() async throws {
        try await withRedis { redis in
            let capture = LogCapture()
            try await Self.withStage(redis, logger: capture.logger(label: "sluice.test.router"), writeTimeout: .seconds(5), configure: {
                $0.writeRoutings = { store, routings, nowMillis, retention, worker throws(RedisError) in
                    if routings.contains(where: { $0.event.webhookID == "msg_bad_1" }) {
                        throw RedisError(kind: .server, message: "ERR script error (test)")
                    }
                    return try await store.route(routings, nowMillis: nowMillis, retention: retention, eventIndex: worker.eventIndex)
                }
            }) { stage, store in
                let ids = (0..<3).map { "msg_bad_\($0)" }
                let entries = try await Self.addAndRead(ids, redis: redis, store: store)
                let outcome = await stage.route(entries)
                #expect(!outcome.written && outcome.held.isEmpty)
                #expect(try await Self.routedIDs(redis) == ["msg_bad_0", "msg_bad_2"])
                let pending = try await redis.client.send(["XPENDING", RedisArgument(redis.keyspace.ingress), RedisArgument(Keyspace.routerGroup)])
                #expect(pending.array?.first?.int == 1, "only the event that cannot be written: \(pending)")
                let logged = capture.text.split(separator: "\n").filter { $0.contains("event could not be routed") }
                #expect(logged.count == 1 && logged[0].contains("msg_bad_1"), "\(capture.text)")
            }
        }
    }

    /// Redis turning unavailable while the events of a failed call are tried one by one holds
    /// the whole call, as any call is held, rather than leaving the rest behind for the reclaim
    /// while later events go on.
    @Test func redisTurningUnavailableWhileACallIsSplitHoldsTheWholeCall() async throws {
        try await withRedis { redis in
            try await Self.withStage(redis, logger: Logger(label: "sluice.test.router"), writeTimeout: .seconds(5), configure: {
                $0.writeRoutings = { store, routings, nowMillis, retention, worker throws(RedisError) in
                    let ids = routings.map(\.event.webhookID)
                    if ids.contains("msg_split_1") { throw RedisError(kind: .server, message: "ERR script error (test)") }
                    if ids == ["msg_split_2"] { throw RedisError(kind: .unreachable, message: "Redis is down (test)") }
                    return try await store.route(routings, nowMillis: nowMillis, retention: retention, eventIndex: worker.eventIndex)
                }
            }) { stage, store in
                let ids = (0..<4).map { "msg_split_\($0)" }
                let entries = try await Self.addAndRead(ids, redis: redis, store: store)
                let outcome = await stage.route(entries)
                #expect(outcome.held.map(\.event?.webhookID) == ids, "the call held whole")
                #expect(outcome.error?.kind == .unreachable)
                #expect(try await Self.routedIDs(redis) == ["msg_split_0"], "written before Redis turned unavailable; skipped when sent again")
            }
        }
    }

    /// A Redis that refuses writes for want of replicas (`min-replicas-to-write`) is a Redis
    /// refusing writes for now, like one out of memory: the batch is held and sent again, not
    /// left for the reclaim as if it could never be written.
    @Test func tooFewReplicasToWriteHoldsTheBatch() async throws {
        try await withRedis { redis in
            try await Self.withStage(redis, logger: Logger(label: "sluice.test.router"), writeTimeout: .seconds(5)) { stage, store in
                _ = try await redis.client.send(Self.add("msg_noreplicas", to: redis))
                let entries = try await store.readIngress(consumer: "router-1", count: 10, block: .zero)
                try #require(entries.count == 1)
                _ = try await redis.client.send(["CONFIG", "SET", "min-replicas-to-write", "1"])
                let outcome = await stage.route(entries)
                #expect(outcome.held.count == 1)
                #expect(outcome.error?.serverCode == "NOREPLICAS", "\(String(describing: outcome.error))")
                _ = try await redis.client.send(["CONFIG", "SET", "min-replicas-to-write", "0"])
                #expect(await stage.route(outcome.held).written)
                #expect(try await Self.routedIDs(redis) == ["msg_noreplicas"])
            }
        }
    }

    /// Script calls of one batch go in order, and once one is to be held the later ones are held
    /// untried: written, their events would overtake the held ones.
    @Test func callsAfterAHeldOneAreHeldUntried() async throws {
        try await withRedis { redis in
            try await Self.withStage(redis, logger: Logger(label: "sluice.test.router"), writeTimeout: .seconds(5), configure: {
                $0.maxDeliveriesPerScript = 1
                $0.writeRoutings = Self.failing("msg_split_1")
            }) { stage, store in
                let ids = (0..<4).map { "msg_split_\($0)" }
                let entries = try await Self.addAndRead(ids, redis: redis, store: store)
                let outcome = await stage.route(entries)
                #expect(outcome.held.map(\.event?.webhookID) == ["msg_split_1", "msg_split_2", "msg_split_3"])
                #expect(try await Self.routedIDs(redis) == ["msg_split_0"])
            }
        }
    }
}
