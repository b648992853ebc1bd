import Foundation
import Logging
import Metrics
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@testable import SluiceWorker

@Suite("The router stage")
struct RouterStageTests {
    /// A route write that times out (Redis holding writes for a moment) is tried again within a
    /// couple of seconds, so the batch reaches the deliveries stream then — once, in order — not
    /// a visibility timeout later (45 s by default) behind every event read after it.
    @Test func aRouteWriteThatTimesOutIsTriedAgainWithinSecondsNotLeftForTheVisibilityTimeout() async throws {
        try await withRedis { redis in
            let capture = LogCapture()
            let logger = capture.logger(label: "sluice.test.router")
            let text = WorkerHarness.acmeMain(prefix: redis.prefix, url: "http://127.0.0.1:9/hook")
            let routes = try #require(
                RoutesLoader.load(text: text, path: "routes.yaml", environment: [:], readSecretFile: { _ in "" }).config)
            // Writes held for 1.8 s against a 300 ms command timeout: the first tries time out,
            // a later one (5 tries over about 2 s) goes through.
            let client = RedisClient(url: redis.url, logger: logger, commandTimeout: .milliseconds(300))
            defer { client.shutdown() }
            let store = WorkerStore(client: client, blockingClient: client, keyspace: redis.keyspace)
            try await store.ensureGroups()
            let ingress = IngressStore(client: redis.client, keyspace: redis.keyspace)
            let ids = (0..<3).map { "msg_router_\($0)" }
            for id in ids {
                let event = IngressEvent(
                    webhookID: id, source: "gemini", channel: "", eventType: "batch.succeeded",
                    webhookTimestamp: Int64(Date().timeIntervalSince1970), receivedAtMillis: Date().unixMillis,
                    body: Array(#"{"type":"batch.succeeded"}"#.utf8))
                _ = try await ingress.accept(event, dedupeWindow: .seconds(60), logRetention: .seconds(3600))
            }
            let entries = try await store.readIngress(consumer: "router-1", count: 10, block: .zero)
            try #require(entries.count == 3)

            let stage = RouterStage(
                state: WorkerState(routes: routes), store: store, consumer: "router-1", logger: logger, clock: { Date() },
                undecodable: UndecodableEntries(store: store, logger: logger, factory: NOOPMetricsHandler.instance),
                deadLetters: DeadLetterMetrics(factory: NOOPMetricsHandler.instance))
            _ = try await redis.client.send(["CLIENT", "PAUSE", "1800", "WRITE"])
            let failure = await stage.route(entries)
            #expect(failure == nil, "\(failure.map { "\($0.entries.count) left: \($0.error)" } ?? "")")

            #expect(capture.text.contains("no reply from Redis"), "no try timed out while writes were held: \(capture.text)")
            #expect(!capture.text.contains("could not be routed"), "\(capture.text)")
            let deliveries = try await store.readDeliveries(consumer: "delivery-1", count: 10, block: .zero)
            #expect(deliveries.map(\.delivery.event.webhookID) == ids, "each event routed once, in order")
            let pending = try await redis.client.send(["XPENDING", RedisArgument(redis.keyspace.ingress), RedisArgument(Keyspace.routerGroup)])
            #expect(pending.array?.first?.int == 0, "the ingress entries are acknowledged: \(pending)")
        }
    }

    /// When Redis holds writes for longer than the write's own retries, the router holds the
    /// batch and sends it again before it reads anything newer: once writes go through, the
    /// batch reaches the deliveries stream first and an event accepted later comes after it.
    @Test func aBatchRedisDoesNotTakeIsHeldAndRoutedBeforeAnythingNewer() async throws {
        try await withRedis { redis in
            let capture = LogCapture()
            let logger = capture.logger(label: "sluice.test.router")
            let text = WorkerHarness.acmeMain(prefix: redis.prefix, url: "http://127.0.0.1:9/hook")
            let routes = try #require(
                RoutesLoader.load(text: text, path: "routes.yaml", environment: [:], readSecretFile: { _ in "" }).config)
            // Writes time out after 300 ms; the blocking read waits out the pause instead.
            let client = RedisClient(url: redis.url, logger: logger, commandTimeout: .milliseconds(300))
            let blocking = RedisClient(url: redis.url, logger: logger, commandTimeout: .seconds(30))
            defer {
                client.shutdown()
                blocking.shutdown()
            }
            let store = WorkerStore(client: client, blockingClient: blocking, keyspace: redis.keyspace)
            try await store.ensureGroups()
            let stage = RouterStage(
                state: WorkerState(routes: routes), store: store, consumer: "router-1", logger: logger, clock: { Date() },
                undecodable: UndecodableEntries(store: store, logger: logger, factory: NOOPMetricsHandler.instance),
                deadLetters: DeadLetterMetrics(factory: NOOPMetricsHandler.instance))
            let running = Task { try await stage.run() }
            defer { running.cancel() }
            try await poll(until: {
                let clients = try await redis.client.send(["CLIENT", "LIST"]).string ?? ""
                return clients.contains("cmd=xreadgroup")
            }, "the router waits on the ingress stream")

            // Three events in one transaction and, in the same write, 8 s of held writes: Redis
            // hands the entries to the router's waiting read right after the transaction, so the
            // pause starts between its read and its route write (5 tries, about 3.5 s with the
            // timeouts, then held).
            func add(_ id: String) -> [RedisArgument] {
                let now = Date()
                return [
                    "XADD", RedisArgument(redis.keyspace.ingress), "*",
                    "id", RedisArgument(id), "source", "gemini", "channel", "", "type", "batch.succeeded",
                    "ts", RedisArgument(Int64(now.timeIntervalSince1970)), "received_at", RedisArgument(now.unixMillis),
                    "body", RedisArgument(#"{"type":"batch.succeeded"}"#),
                ]
            }
            let held = (0..<3).map { "msg_held_\($0)" }
            let replies = try await redis.client.pipeline([["MULTI"]] + held.map(add) + [["EXEC"], ["CLIENT", "PAUSE", "8000", "WRITE"]])
            #expect(replies.last?.string == "OK", "\(replies)")
            try await poll(until: {
                capture.text.contains("router stage cannot write routed events to Redis; holding them")
            }, "the router holds the batch")
            // Accepted while the batch is held: read only after it (the add waits out the pause).
            _ = try await redis.client.send(add("msg_later"))

            var routed: [String] = []
            try await poll(until: {
                routed = try await redis.client.send(["XRANGE", RedisArgument(redis.keyspace.deliveries), "-", "+"]).array?
                    .compactMap { $0.array?.last?.array }.compactMap { fields in
                        stride(from: 0, to: fields.count - 1, by: 2).first { fields[$0].string == "webhook_id" }.flatMap { fields[$0 + 1].string }
                    } ?? []
                return routed.count >= 4
            }, "every event is routed well before a reclaim (45 s)")
            #expect(routed == held + ["msg_later"], "the held batch first, each once: \(routed)")
            #expect(capture.text.contains("router stage writing routed events again"), "\(capture.text)")
        }
    }
}
