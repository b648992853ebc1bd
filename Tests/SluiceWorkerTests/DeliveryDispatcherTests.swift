import SluiceCore
import SluiceRedis
import Synchronization
import Testing

@testable import SluiceWorker

/// The per-endpoint lanes in isolation, with deliveries that do nothing.
@Suite struct DeliveryDispatcherTests {
    static func entry(_ number: Int, to endpoint: String) -> DeliveryEntry {
        let event = IngressEvent(
            webhookID: "msg_\(number)", source: "gemini", channel: nil, eventType: "batch.completed",
            webhookTimestamp: 1_700_000_000, receivedAtMillis: 1_700_000_000_000, body: Array("{}".utf8))
        let delivery = Delivery(ingressID: "1-\(number)", event: event, target: EndpointRef(tenant: "acme", endpoint: endpoint))
        return DeliveryEntry(streamID: "2-\(number)", delivery: delivery)
    }

    /// A batch is offered in one turn: a delivery that ends at once cannot free its place for a
    /// later one of the same endpoint while the batch is handed out, so after the first refusal
    /// the endpoint's later deliveries are refused too, in order, and none overtakes a refused
    /// one. Other endpoints' lanes take theirs.
    @Test func aBatchIsOfferedInOneTurnSoNoLaterDeliveryTakesRoomFreedAfterARefusal() async throws {
        let started = Mutex<[String]>([])
        let dispatcher = DeliveryDispatcher(maxInFlight: 64) { entry, releaseLane in
            started.withLock { $0.append(entry.delivery.event.webhookID) }
            await releaseLane()
        }
        let batch = [
            Self.entry(1, to: "limited"), Self.entry(2, to: "limited"), Self.entry(3, to: "other"),
            Self.entry(4, to: "limited"), Self.entry(5, to: "other"), Self.entry(6, to: "limited"),
        ]
        let refused = await dispatcher.submit(batch) { ref in ref.endpoint == "limited" ? (1, 1) : (2, 0) }
        #expect(refused.map(\.delivery.event.webhookID) == ["msg_4", "msg_6"])
        await dispatcher.waitUntilIdle()
        #expect(Set(started.withLock { $0 }) == ["msg_1", "msg_2", "msg_3", "msg_5"])
    }
}
