import Foundation
import Logging
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceRuntime
import SluiceTesting
import Synchronization
import Testing

@testable import SluiceWorker

/// The executor on its own, against a real redis-server, with a fault put between it and Redis.
@Suite struct DeliveryExecutorTests {
    /// An executor on `redis` whose routes have only acme/main, with its result writes going
    /// through `settle`, and a claimed delivery for acme/gone (no longer in routes.yaml), which it
    /// dead-letters `endpoint_removed` without a request.
    static func withRemovedEndpointDelivery(
        _ redis: RedisFixture, settle: @escaping DeliveryExecutor.Settle,
        _ body: (DeliveryExecutor, DeliveryEntry, WorkerStore, PrometheusExporter) async throws -> Void
    ) async throws {
        let exporter = PrometheusExporter()
        let text = WorkerHarness.acmeMain(prefix: redis.prefix, url: "http://127.0.0.1:9/hook")
        let routes = try #require(RoutesLoader.load(text: text, path: "routes.yaml", environment: [:], readSecretFile: { _ in "" }).config)
        let stores = WorkerStores(url: redis.url, prefix: redis.prefix, count: 1, logger: redis.logger)
        defer { stores.shutdown() }
        let httpClient = try HTTPClient()
        defer { httpClient.shutdown() }
        let store = stores.store(0)
        try await store.ensureGroups()
        let executor = DeliveryExecutor(
            state: WorkerState(routes: routes), stores: stores, httpClient: httpClient, breakers: CircuitBreakers(), consumer: "worker-1",
            metrics: DeliveryMetrics(factory: exporter.factory), builder: OutboundRequestBuilder(version: "test"), logger: redis.logger,
            clock: { Date() }, settle: settle)

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let event = IngressEvent(
            webhookID: "msg_removed", source: "gemini", channel: nil, eventType: "batch.succeeded",
            webhookTimestamp: now / 1000, receivedAtMillis: now, body: Array(#"{"type":"batch.succeeded"}"#.utf8))
        try await store.addDelivery(Delivery(ingressID: "1-1", event: event, target: EndpointRef(tenant: "acme", endpoint: "gone")))
        let entries = try await store.readDeliveries(consumer: "worker-1", count: 10, block: .zero)
        try #require(entries.count == 1)
        try await body(executor, entries[0], store, exporter)
    }

    /// The metrics lines of `name` that mention `part`.
    static func lines(_ exporter: PrometheusExporter, _ name: String, with part: String) -> [String] {
        String(decoding: exporter.render(), as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix(name + "{") && $0.contains(part) }
    }

    /// A dead letter written by a try whose reply was lost is counted: the next try finds the
    /// delivery settled and skips it, and the count must not depend on which try wrote it.
    @Test func aDeadLetterWrittenByATryWhoseReplyWasLostIsCounted() async throws {
        try await withRedis { redis in
            let tries = Mutex(0)
            try await Self.withRemovedEndpointDelivery(redis, settle: { store, completions, nowMillis, retention throws(RedisError) in
                let outcomes = try await store.complete(completions, nowMillis: nowMillis, retention: retention)
                // The first try is applied, but its reply never arrives.
                if tries.withLock({ $0 += 1; return $0 }) == 1 { throw RedisError(kind: .timeout, message: "no reply from Redis (test)") }
                return outcomes
            }) { executor, entry, store, exporter async throws in
                await executor.deliver(entry)
                #expect(tries.withLock { $0 } == 2)
                #expect(try await store.deadLetters().map(\.reason) == [.endpointRemoved])
                let metrics = String(decoding: exporter.render(), as: UTF8.self)
                #expect(metrics.contains(#"sluice_dead_letters_total{reason="endpoint_removed"} 1"#), "\(metrics)")
                #expect(Self.lines(exporter, "sluice_deliveries_total", with: #"outcome="dead_letter""#).map { $0.hasSuffix(" 1") } == [true])
            }
        }
    }

    /// A dead letter made without an attempt is counted once written: one Redis would not take
    /// leaves the delivery pending and uncounted, and when it comes back (after the visibility
    /// timeout) and is written, both counters say one — not one per time it was decided.
    @Test func aDeadLetterWithoutAnAttemptIsCountedOnceWrittenNotOncePerTry() async throws {
        try await withRedis { redis in
            let down = Mutex(true)
            try await Self.withRemovedEndpointDelivery(redis, settle: { store, completions, nowMillis, retention throws(RedisError) in
                if down.withLock({ $0 }) { throw RedisError(kind: .connectionLost, message: "Redis is away (test)") }
                return try await store.complete(completions, nowMillis: nowMillis, retention: retention)
            }) { executor, entry, store, exporter async throws in
                await executor.deliver(entry)
                #expect(try await store.deadLetters().isEmpty)
                #expect(Self.lines(exporter, "sluice_deliveries_total", with: #"outcome="dead_letter""#).isEmpty)
                down.withLock { $0 = false }
                await executor.deliver(entry)
                #expect(try await store.deadLetters().map(\.reason) == [.endpointRemoved])
                #expect(Self.lines(exporter, "sluice_deliveries_total", with: #"outcome="dead_letter""#).map { $0.hasSuffix(" 1") } == [true])
                #expect(Self.lines(exporter, "sluice_dead_letters_total", with: #"reason="endpoint_removed""#).map { $0.hasSuffix(" 1") } == [true])
            }
        }
    }
}
