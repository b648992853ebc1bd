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

    /// A dispatcher whose `stuck` endpoint's requests never end (until cancelled) and whose
    /// `slow` endpoint's take 100 ms; what goes to the line is recorded in order.
    static func dispatcher(overflowWait: Duration, maxResidency: Duration = .seconds(30), toLine: Recorded) -> DeliveryDispatcher {
        DeliveryDispatcher(
            maxInFlight: 64, overflowWait: overflowWait, maxResidency: maxResidency,
            perform: { entry, _ in
                switch entry.delivery.target.endpoint {
                case "stuck": try? await Task.sleep(for: .seconds(60))
                case "slow": try? await Task.sleep(for: .milliseconds(100))
                default: break
                }
            },
            toLine: { entries in toLine.ids.withLock { $0 += Self.ids(entries) } })
    }

    /// The ids of deliveries in the order they were sent to the line (`dispatcher(…)`) or started.
    final class Recorded: Sendable {
        let ids = Mutex<[String]>([])
        var now: [String] { ids.withLock { $0 } }
    }

    static let oneAndOne: @Sendable (EndpointRef) -> (limit: Int, queue: Int) = { _ in (limit: 1, queue: 1) }

    /// A lane that takes none of its overflow for `overflowWait` sends it to the endpoint's
    /// waiting line; once stopped, the dispatcher hands back what is queued or in an overflow,
    /// and what ran is all that is left in its room.
    @Test func aStuckLanesOverflowGoesToTheLineAfterTheOverflowWaitAndStoppingHandsBackTheRest() async throws {
        let toLine = Recorded()
        let dispatcher = Self.dispatcher(overflowWait: .milliseconds(50), toLine: toLine)
        _ = await dispatcher.submit([Self.entry(1, to: "stuck"), Self.entry(2, to: "stuck"), Self.entry(3, to: "stuck")], laneSize: Self.oneAndOne)
        try await poll(until: { toLine.now == ["msg_3"] }, "the overflow in the waiting line")
        try await poll(until: { await dispatcher.occupiedCount == 2 }, "only the stuck lane's running and queued delivery held")
        _ = await dispatcher.submit([Self.entry(4, to: "stuck")], laneSize: Self.oneAndOne)
        #expect(Self.ids(await dispatcher.stopAccepting()) == ["msg_2", "msg_4"])
        #expect(await dispatcher.occupiedCount == 1)
        await dispatcher.cancelRunning()
        await dispatcher.waitUntilIdle()
        #expect(toLine.now == ["msg_3"])
    }

    /// An overflow grown past a lane's worth (running plus queued) goes to the line at once, in
    /// order, with what joined it — not after the overflow wait (120 s here, beyond the poll's 30 s).
    @Test func anOverflowPastALanesWorthGoesToTheLineAtOnce() async throws {
        let toLine = Recorded()
        let dispatcher = Self.dispatcher(overflowWait: .seconds(120), toLine: toLine)
        _ = await dispatcher.submit(
            [Self.entry(1, to: "stuck"), Self.entry(2, to: "stuck"), Self.entry(3, to: "stuck"), Self.entry(4, to: "other"), Self.entry(5, to: "stuck")],
            laneSize: Self.oneAndOne)
        _ = await dispatcher.submit([Self.entry(6, to: "stuck")], laneSize: Self.oneAndOne)
        try await poll(until: { toLine.now.count == 3 }, "the overflow in the waiting line")
        #expect(toLine.now == ["msg_3", "msg_5", "msg_6"])
        _ = await dispatcher.stopAccepting()
        await dispatcher.cancelRunning()
        await dispatcher.waitUntilIdle()
    }

    /// A lane that drains too slowly for its overflow: what has been in the overflow longer
    /// than `maxResidency` (50 ms here; each request takes 100 ms) goes to the line, so it does
    /// not start so late that another worker reclaims it meanwhile — even though the lane keeps
    /// taking some and the overflow wait (30 s) never runs out. How much of it the lane took
    /// first depends on how late the machine wakes the residency's timer: msg_3 when the first
    /// request ended before it, none otherwise.
    @Test func aDeliveryInAnOverflowLongerThanItsResidencyGoesToTheLine() async throws {
        let toLine = Recorded()
        let dispatcher = Self.dispatcher(overflowWait: .seconds(30), maxResidency: .milliseconds(50), toLine: toLine)
        _ = await dispatcher.submit(
            [Self.entry(1, to: "slow"), Self.entry(2, to: "slow"), Self.entry(3, to: "slow"), Self.entry(4, to: "slow")], laneSize: Self.oneAndOne)
        try await poll(until: { toLine.now.last == "msg_4" }, "the delivery that waited too long in the line")
        await dispatcher.waitUntilIdle()
        #expect(toLine.now == ["msg_4"] || toLine.now == ["msg_3", "msg_4"])
    }

    /// A stuck lane's overflow goes to the line once its oldest delivery has been in it for
    /// `maxResidency` (50 ms here), however long the overflow wait (60 s, beyond the poll's 30 s):
    /// lane sizing counts on a delivery starting or reaching the line within that time.
    @Test func aStuckLanesOverflowGoesToTheLineWithinItsResidencyWhateverTheOverflowWait() async throws {
        let toLine = Recorded()
        let dispatcher = Self.dispatcher(overflowWait: .seconds(60), maxResidency: .milliseconds(50), toLine: toLine)
        _ = await dispatcher.submit([Self.entry(1, to: "stuck"), Self.entry(2, to: "stuck"), Self.entry(3, to: "stuck")], laneSize: Self.oneAndOne)
        try await poll(until: { toLine.now == ["msg_3"] }, "the overflow in the waiting line")
        _ = await dispatcher.stopAccepting()
        await dispatcher.cancelRunning()
        await dispatcher.waitUntilIdle()
    }

    /// A dispatcher whose `held` endpoint's first request waits for `held.open()`; every other
    /// request ends at once. Records the order in which deliveries started, and went to the line.
    static func recordingDispatcher(
        held: HeldFirst, started: Recorded, toLine: Recorded = Recorded(), overflowWait: Duration = .seconds(30)
    ) -> DeliveryDispatcher {
        DeliveryDispatcher(
            maxInFlight: 64, overflowWait: overflowWait, maxResidency: .seconds(30),
            perform: { entry, _ in
                started.ids.withLock { $0.append(entry.delivery.event.webhookID) }
                if entry.delivery.target.endpoint == "held" { await held.arrive() }
            },
            toLine: { entries in toLine.ids.withLock { $0 += Self.ids(entries) } })
    }

    /// A reload that raises an endpoint's `max_in_flight` lets the deliveries queued in its lane
    /// start ahead of the next one to arrive, rather than leaving them queued behind it while
    /// places are free.
    @Test func aRaisedLimitStartsQueuedDeliveriesBeforeTheNextOne() async throws {
        let (held, started, dispatcher) = try await Self.oneRunningTwoQueued()
        _ = await dispatcher.submit([Self.entry(4, to: "held")], laneSize: { _ in (limit: 4, queue: 2) })
        try await poll(until: { started.now.count == 4 }, "all four running under the raised limit")
        #expect(started.now == ["msg_1", "msg_2", "msg_3", "msg_4"])
        await held.open()
        await dispatcher.waitUntilIdle()
    }

    /// A reload that raises the limit starts the queued deliveries at once, with none arriving
    /// (before, the lane took the new limit only when its endpoint's next delivery came).
    @Test func aResizeStartsQueuedDeliveriesWithoutANewOne() async throws {
        let (held, started, dispatcher) = try await Self.oneRunningTwoQueued()
        await dispatcher.resize(laneSize: { _ in (limit: 3, queue: 2) })
        try await poll(until: { started.now.count == 3 }, "all three running under the raised limit")
        #expect(started.now == ["msg_1", "msg_2", "msg_3"])
        await held.open()
        await dispatcher.waitUntilIdle()
    }

    /// A lowered queue (a reload's smaller limit or visibility timeout) hands the deliveries it no
    /// longer holds to the endpoint's waiting line, ahead of the overflow that came after them,
    /// rather than keeping them queued past the time the lane was sized for (another worker would
    /// reclaim them meanwhile, and both would send them). What still fits stays queued and runs.
    @Test func aLoweredQueueSendsWhatNoLongerFitsToTheLine() async throws {
        let toLine = Recorded()
        let (held, started, dispatcher) = try await Self.oneRunningTwoQueued(toLine: toLine)
        _ = await dispatcher.submit([Self.entry(4, to: "held")], laneSize: { _ in (limit: 1, queue: 2) })
        await dispatcher.resize(laneSize: { _ in (limit: 1, queue: 1) })
        #expect(toLine.now.isEmpty, "a lane's worth (one running, one queued, one in the overflow) waits for the lane")
        await dispatcher.resize(laneSize: { _ in (limit: 1, queue: 0) })
        try await poll(until: { toLine.now.count == 3 }, "what the shorter queue no longer holds in the line")
        #expect(toLine.now == ["msg_2", "msg_3", "msg_4"])
        #expect(await dispatcher.occupiedCount == 1, "only the running delivery")
        await held.open()
        await dispatcher.waitUntilIdle()
        #expect(started.now == ["msg_1"])
    }

    /// A dispatcher whose one lane (limit 1, queue 2) runs a held delivery with two queued behind it.
    static func oneRunningTwoQueued(
        toLine: Recorded = Recorded(), overflowWait: Duration = .seconds(30)
    ) async throws -> (HeldFirst, Recorded, DeliveryDispatcher) {
        let held = HeldFirst()
        let started = Recorded()
        let dispatcher = Self.recordingDispatcher(held: held, started: started, toLine: toLine, overflowWait: overflowWait)
        _ = await dispatcher.submit(
            [Self.entry(1, to: "held"), Self.entry(2, to: "held"), Self.entry(3, to: "held")], laneSize: { _ in (limit: 1, queue: 2) })
        try await poll(until: { started.now == ["msg_1"] }, "the first delivery running, two queued")
        return (held, started, dispatcher)
    }

    /// A released delivery (its turn in the waiting line came) that finds its endpoint's overflow
    /// goes ahead of the overflow's deliveries that were not released: they came after it.
    @Test func aReleasedDeliveryGoesAheadOfAnOverflowsOthers() async throws {
        let held = HeldFirst()
        let started = Recorded()
        let dispatcher = Self.recordingDispatcher(held: held, started: started)
        let laneSize = { @Sendable (_: EndpointRef) in (limit: 1, queue: 2) }
        _ = await dispatcher.submit((1...5).map { Self.entry($0, to: "held") }, laneSize: laneSize)
        _ = await dispatcher.submit([Self.entry(6, to: "held", released: true)], laneSize: laneSize)
        try await poll(until: { started.now == ["msg_1"] }, "the first delivery running, two queued, three in the overflow")
        await held.open()
        try await poll(until: { started.now.count == 6 }, "the overflow taken as the lane drained")
        #expect(started.now == ["msg_1", "msg_2", "msg_3", "msg_6", "msg_4", "msg_5"])
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
