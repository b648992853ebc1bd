import SluiceCore
import SluiceRedis
import Synchronization
import Testing

@testable import SluiceWorker

/// Script calls stay bounded in bytes: a batch of large bodies is split, never sent as one call
/// of hundreds of megabytes that would hold Redis for its whole run.
@Suite struct ScriptSizeTests {
    static func event(_ number: Int, bodyBytes: Int) -> IngressEvent {
        IngressEvent(
            webhookID: "msg_\(number)", source: "gemini", channel: nil, eventType: "batch.completed",
            webhookTimestamp: 1_700_000_000, receivedAtMillis: 1_700_000_000_000, body: [UInt8](repeating: 0x20, count: bodyBytes))
    }

    @Test func theRouterSplitsABatchOfLargeBodiesByBytes() {
        let targets = [EndpointRef(tenant: "acme", endpoint: "main"), EndpointRef(tenant: "ops", endpoint: "audit")]
        let routings = (0..<512).map { number in
            let event = Self.event(number, bodyBytes: 1 << 20)
            return EventRouting(
                entry: IngressEntry(streamID: "1-\(number)", event: event), event: event,
                deliveries: targets.map { Delivery(ingressID: "1-\(number)", event: event, target: $0) })
        }
        // By count alone (512 deliveries a call) this is two calls of 256 MiB each.
        let chunks = RouterStage.chunks(routings, maxDeliveries: 512, maxBytes: ScriptChunks.maxBytes)
        #expect(chunks.flatMap { $0 }.map(\.entry.streamID) == routings.map(\.entry.streamID), "every event, in order")
        for chunk in chunks {
            let bytes = chunk.reduce(0) { $0 + $1.event.body.count * $1.deliveries.count }
            #expect(bytes <= ScriptChunks.maxBytes, "a route script call carries \(bytes) bytes of bodies")
        }
        // Small events are still grouped by count.
        let small = (0..<600).map { number in
            let event = Self.event(number, bodyBytes: 100)
            return EventRouting(entry: IngressEntry(streamID: "1-\(number)", event: event), event: event, deliveries: [])
        }
        #expect(RouterStage.chunks(small, maxDeliveries: 512, maxBytes: ScriptChunks.maxBytes).map(\.count) == [512, 88])
    }

    @Test func completionBatchesOfLargeBodiesAreSplitByBytes() async throws {
        let batches = Mutex<[Int]>([])
        let batcher = CompletionBatcher(maxBatch: 256) { completions throws(RedisError) in
            batches.withLock { $0.append(completions.count) }
            try? await Task.sleep(for: .milliseconds(20))
            return completions.map { _ in .settled }
        }
        await withTaskGroup(of: Void.self) { group in
            for number in 0..<64 {
                group.addTask {
                    let delivery = Delivery(
                        ingressID: "1-\(number)", event: Self.event(number, bodyBytes: 1 << 20), target: EndpointRef(tenant: "acme", endpoint: "main"))
                    let completion = DeliveryCompletion(
                        entry: DeliveryEntry(streamID: "2-\(number)", delivery: delivery), attempt: nil,
                        resolution: .deadLetter(.exhausted, lastStatus: 500, lastError: "boom"))
                    _ = try? await batcher.complete(completion)
                }
            }
        }
        let sent = batches.withLock { $0 }
        #expect(sent.reduce(0, +) == 64)
        // 1 MiB bodies: at most 7 fit in 8 MiB of arguments with their fields.
        #expect(sent.allSatisfy { $0 <= 8 }, "batches of \(sent)")
    }
}
