import SluiceCore
import SluiceRedis
import SluiceTesting
import Synchronization
import Testing

@testable import SluiceWorker

/// The per-endpoint lanes and their overflows in isolation, with deliveries that do nothing.
@Suite struct DeliveryDispatcherTests {
    static func entry(_ number: Int, to endpoint: String, released: Bool = false) -> DeliveryEntry {
        let event = IngressEvent(
            webhookID: "msg_\(number)", source: "gemini", channel: nil, eventType: "batch.completed",
            webhookTimestamp: 1_700_000_000, receivedAtMillis: 1_700_000_000_000, body: Array("{}".utf8))
        var delivery = Delivery(ingressID: "1-\(number)", event: event, target: EndpointRef(tenant: "acme", endpoint: endpoint))
        delivery.released = released
        return DeliveryEntry(streamID: "2-\(number)", delivery: delivery)
    }

    static func ids(_ entries: [DeliveryEntry]) -> [String] { entries.map(\.delivery.event.webhookID) }

    /// What a full lane refuses waits in the endpoint's overflow, and the endpoint's later
    /// deliveries — in the same batch or later ones — join behind it: as the lane drains they all
    /// go in, in the order they came, even when it has room for only part of them at a time, and
    /// none goes to the line. Other endpoints' lanes take theirs at once.
    @Test func aFullLanesOverflowGoesInInOrderWithLaterDeliveriesBehindIt() async throws {
        let started = Mutex<[String]>([])
        let toLine = Mutex<[String]>([])
        let dispatcher = DeliveryDispatcher(
            maxInFlight: 64, overflowWait: .seconds(30),
            perform: { entry, releaseLane in
                started.withLock { $0.append(entry.delivery.event.webhookID) }
                await releaseLane()
            },
            toLine: { entries in toLine.withLock { $0 += Self.ids(entries) } })
        let first = [
            Self.entry(1, to: "limited"), Self.entry(2, to: "limited"), Self.entry(3, to: "other"),
            Self.entry(4, to: "limited"), Self.entry(5, to: "other"), Self.entry(6, to: "limited"),
        ]
        let laneSize = { @Sendable (ref: EndpointRef) in ref.endpoint == "limited" ? (limit: 1, queue: 2) : (limit: 2, queue: 0) }
        var submissions = [await dispatcher.submit(first, laneSize: laneSize)]
        submissions.append(await dispatcher.submit([Self.entry(7, to: "limited")], laneSize: laneSize))
        submissions.append(await dispatcher.submit([Self.entry(8, to: "limited")], laneSize: laneSize))
        #expect(submissions.allSatisfy { $0.forLine.isEmpty })
        #expect(submissions[0].intoLanes == 5)
        #expect(submissions[0].overflowed == [EndpointRef(tenant: "acme", endpoint: "limited")])
        try await poll(until: { started.withLock { $0.count } == 8 }, "every delivery started")
        await dispatcher.waitUntilIdle()
        let limited = started.withLock { $0 }.filter { ["msg_3", "msg_5"].contains($0) == false }
        #expect(limited == ["msg_1", "msg_2", "msg_4", "msg_6", "msg_7", "msg_8"])
        #expect(toLine.withLock { $0 }.isEmpty, "a lane that drains takes its overflow; nothing waits in the line")
    }

    /// A lane that stays full holds its overflow only `overflowWait`, and no more than a lane's
    /// worth of it: then the overflow, with what joined it, goes to the endpoint's waiting line in
    /// order and leaves the process's room.
    @Test func aStuckLanesOverflowGoesToTheLineInOrderAfterTheOverflowWait() async throws {
        let toLine = Mutex<[String]>([])
        let dispatcher = DeliveryDispatcher(
            maxInFlight: 64, overflowWait: .milliseconds(50),
            perform: { entry, _ in
                // The stuck endpoint: its requests never end until the test cancels them.
                if entry.delivery.target.endpoint == "stuck" { try? await Task.sleep(for: .seconds(60)) }
            },
            toLine: { entries in toLine.withLock { $0 += Self.ids(entries) } })
        let laneSize = { @Sendable (_: EndpointRef) in (limit: 1, queue: 1) }
        _ = await dispatcher.submit(
            [Self.entry(1, to: "stuck"), Self.entry(2, to: "stuck"), Self.entry(3, to: "stuck"), Self.entry(4, to: "other"), Self.entry(5, to: "stuck")],
            laneSize: laneSize)
        _ = await dispatcher.submit([Self.entry(6, to: "stuck")], laneSize: laneSize)
        try await poll(until: { toLine.withLock { $0 }.count == 3 }, "the overflow in the waiting line")
        #expect(toLine.withLock { $0 } == ["msg_3", "msg_5", "msg_6"])
        try await poll(until: { await dispatcher.occupiedCount == 2 }, "only the stuck lane's running and queued delivery held")
        #expect(await dispatcher.stopAccepting().map(\.delivery.event.webhookID) == ["msg_2"])
        await dispatcher.cancelRunning()
        await dispatcher.waitUntilIdle()
    }

    /// While an endpoint's waiting line holds deliveries, its new ones are handed back to join
    /// the line (one script call for the batch) — but not a released one, whose turn came.
    @Test func anEndpointWhoseLineHoldsOthersGetsItsNewDeliveriesBackForTheLine() async throws {
        let started = Mutex<[String]>([])
        let dispatcher = DeliveryDispatcher(
            maxInFlight: 64,
            perform: { entry, _ in started.withLock { $0.append(entry.delivery.event.webhookID) } },
            toLine: { _ in }, lineIsActive: { $0.endpoint == "waiting" })
        let submission = await dispatcher.submit(
            [Self.entry(1, to: "waiting", released: true), Self.entry(2, to: "waiting"), Self.entry(3, to: "other"), Self.entry(4, to: "waiting")],
            laneSize: { _ in (limit: 4, queue: 4) })
        #expect(Self.ids(submission.forLine) == ["msg_2", "msg_4"])
        #expect(submission.intoLanes == 2)
        await dispatcher.waitUntilIdle()
        #expect(Set(started.withLock { $0 }) == ["msg_1", "msg_3"])
    }
}
