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
            await stage.route(entries)

            #expect(capture.text.contains("no reply from Redis"), "no try timed out while writes were held: \(capture.text)")
            #expect(!capture.text.contains("could not be routed"), "\(capture.text)")
            let deliveries = try await store.readDeliveries(consumer: "delivery-1", count: 10, block: .zero)
            #expect(deliveries.map(\.delivery.event.webhookID) == ids, "each event routed once, in order")
            let pending = try await redis.client.send(["XPENDING", RedisArgument(redis.keyspace.ingress), RedisArgument(Keyspace.routerGroup)])
            #expect(pending.array?.first?.int == 0, "the ingress entries are acknowledged: \(pending)")
        }
    }
}
