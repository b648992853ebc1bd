import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// `sluice worker` processes: split stages, and SIGTERM with a delivery in flight.
@Suite struct WorkerProcessTests {
    static let allRoute = """
          - name: all
            match: {source: gemini}
            to: [acme/main]
        """

    @Test func aBatchOfLargeBodiesIsRoutedAndDeliveredInFull() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                // 40 events of 900 KiB read in one batch: the route script calls are split by bytes
                // (RouterStage.chunks, tested on its own), and every event still arrives.
                var gateway = try GatewayProcesses(
                    redis: redis, routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: Self.allRoute))
                defer { gateway.close() }
                let edge = try await gateway.startEdge()
                defer { edge.send(SIGKILL) }
                let padding = String(repeating: "a", count: 900 * 1024)
                var ids: Set<String> = []
                for index in 0..<40 {
                    ids.insert(try await gateway.post(body: #"{"type":"batch.succeeded","n":\#(index),"pad":"\#(padding)"}"#))
                }
                // Started after the events are in: its first read takes all 40.
                let worker = try await gateway.startWorker(name: "worker")
                defer { worker.send(SIGKILL) }
                try await poll(until: {
                    Set(await sink.requests(to: "/hook").compactMap { $0.header("webhook-id") }) == ids
                }, timeout: .seconds(60), "every large event is routed and delivered")
            }
        }
    }

    @Test func routerAndDeliveryStagesInSeparateProcessesDeliverEverything() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                var gateway = try GatewayProcesses(
                    redis: redis, routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), routes: Self.allRoute))
                defer { gateway.close() }
                let edge = try await gateway.startEdge()
                defer { edge.send(SIGKILL) }
                let router = try await gateway.startWorker(name: "router", ["--stages", "router"])
                defer { router.send(SIGKILL) }

                var ids: Set<String> = []
                for _ in 0..<20 { ids.insert(try await gateway.post(type: "batch.succeeded")) }
                // The router alone expands but never delivers.
                try await poll(until: { (try await gateway.store.status()).deliveriesLength == 20 }, "the router alone writes 20 deliveries")
                #expect(await sink.requests.isEmpty)

                let delivery = try await gateway.startWorker(name: "delivery", ["--stages", "delivery"])
                defer { delivery.send(SIGKILL) }
                try await poll(until: {
                    Set(await sink.requests(to: "/hook").compactMap { $0.header("webhook-id") }) == ids
                }, "the delivery-only worker delivers every event")
                try await poll(until: {
                    let status = try await gateway.store.status()
                    return status.deliveriesPending == 0 && status.ingressPending == 0 && status.deliveriesLength == 0
                }, "nothing is left pending")
                #expect(await sink.requests(to: "/hook").count == 20)
                #expect(try await gateway.store.deadLetters().isEmpty)
            }
        }
    }

    @Test func sigtermFinishesTheInFlightDeliveryAndExits0() async throws {
        try await withSink { sink in
            // Longer than the stages take to stop reading: the router's and then the delivery
            // stage's blocking reads end within their 1 s block each, one after the other, and the
            // request must still be running when the delivery stage drains (2 s raced them).
            await sink.respond(to: "/slow", with: SinkResponse(status: 200, delay: .seconds(5)))
            try await withRedis { redis in
                var gateway = try GatewayProcesses(
                    redis: redis,
                    routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: sink.url("/slow"), timeout: "15s", routes: Self.allRoute))
                defer { gateway.close() }
                let edge = try await gateway.startEdge(["--log-level", "info"])
                defer { edge.send(SIGKILL) }
                let first = try await gateway.startWorker(name: "worker1", ["--log-level", "info"])
                defer { first.send(SIGKILL) }

                let id = try await gateway.post(type: "batch.succeeded")
                _ = try await sink.waitForRequests(count: 1, path: "/slow")
                first.send(SIGTERM)
                #expect(await first.exit.wait(timeout: .seconds(20)), "the worker exits after draining")
                #expect(first.exit.status == 0)
                // The log tells the shutdown from start to end.
                let workerLog = (try? String(contentsOfFile: gateway.dir.file("worker1.log"), encoding: .utf8)) ?? ""
                for line in ["worker shutting down", "draining in-flight deliveries", "in-flight deliveries finished", "worker stopped"] {
                    #expect(workerLog.contains(line), "\(line): \(workerLog)")
                }
                #expect(workerLog.contains("count=1 "), "\(workerLog)")
                // Text lines are stamped to the millisecond, so lines within one second keep their order.
                let stopped = workerLog.split(separator: "\n").first { $0.contains("worker stopped") }.map(String.init) ?? ""
                #expect(stopped.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4} info sluice\.worker: .*\[\w+\] worker stopped.*/) != nil, "\(stopped)")

                // Recorded delivered before the exit, so nothing is left for another worker to repeat.
                let log = try await gateway.store.attemptLog(source: "gemini", webhookID: id)
                #expect(log.map(\.record.outcome) == [.delivered])
                #expect(log.map(\.record.status) == [200])
                let status = try await gateway.store.status()
                #expect(status.deliveriesPending == 0)
                #expect(status.deliveriesLength == 0)
                #expect(status.retryBacklog == 0)

                // A second worker delivers new work and does not repeat the drained delivery.
                let second = try await gateway.startWorker(name: "worker2")
                defer { second.send(SIGKILL) }
                let next = try await gateway.post(type: "batch.succeeded")
                try await poll(until: {
                    try await gateway.store.attemptLog(source: "gemini", webhookID: next).map(\.record.outcome) == [.delivered]
                }, "the second worker delivers a new event")
                let ids = await sink.requests(to: "/slow").compactMap { $0.header("webhook-id") }
                #expect(ids == [id, next], "the drained delivery was sent exactly once")

                edge.send(SIGTERM)
                #expect(await edge.exit.wait(timeout: .seconds(20)), "the edge exits")
                let edgeLog = (try? String(contentsOfFile: gateway.dir.file("edge.log"), encoding: .utf8)) ?? ""
                #expect(edgeLog.contains("edge shutting down") && edgeLog.contains("edge stopped"), "\(edgeLog)")
            }
        }
    }
}
