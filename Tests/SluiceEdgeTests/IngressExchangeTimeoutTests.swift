import NIOCore
import NIOHTTP1
import Testing

@testable import SluiceEdge

/// The request timeout and the buffer budget's refusal, driven by the clock given: a request must
/// be read whole within the timeout, however steadily it trickles.
@Suite struct IngressExchangeTimeoutTests {
    typealias Fixture = IngressExchangeTests
    static let t0 = Fixture.t0

    @Test func aHeadThatTricklesInIsClosedOnceTheRequestTimeoutPassed() {
        var exchange = IngressExchange(idleTimeout: .seconds(60), requestTimeout: .seconds(10), now: Self.t0)
        // Bytes arrive every 100 ms but never make a head: the decoder holds them, the handler sees only raw reads.
        let first = exchange.bytesArrived(at: Self.t0 + .seconds(1))
        #expect(first)
        for tenth in 11...109 {
            let started = exchange.bytesArrived(at: Self.t0 + .milliseconds(Int64(tenth) * 100))
            #expect(!started)
        }
        #expect(exchange.idleCheck(now: Self.t0 + .milliseconds(10_900), queueEmpty: true) == .checkAgain(in: .milliseconds(100)))
        #expect(exchange.idleCheck(now: Self.t0 + .seconds(11), queueEmpty: true) == .requestTimedOut)
        guard case .close = exchange.timeOutRequest(now: Self.t0 + .seconds(11)) else {
            Issue.record("a request without a parsed head is closed without an answer")
            return
        }
        #expect(exchange.closing)
    }

    @Test func aBodyThatTricklesInIsAnswered408AndClosed() throws {
        let snapshot = try Fixture.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), requestTimeout: .seconds(10), now: Self.t0)
        let body = Array(#"{"type":"batch.succeeded"}"#.utf8)
        _ = exchange.bytesArrived(at: Self.t0)
        let head = exchange.receivedHead(try Fixture.head(body: body), now: Self.t0, snapshot: snapshot, durabilityUnmet: nil)
        #expect(head.isNone)
        // One byte every 100 ms is activity, but it is not the request finishing.
        for (index, byte) in body.dropLast().enumerated() {
            let at = Self.t0 + .milliseconds(Int64(index + 1) * 400)
            exchange.noteActivity(at: at)
            let action = exchange.receivedBody(ByteBuffer(bytes: [byte]), now: at)
            #expect(action.isNone)
        }
        #expect(exchange.idleCheck(now: Self.t0 + .milliseconds(9_990), queueEmpty: true) == .checkAgain(in: .milliseconds(10)))
        #expect(exchange.idleCheck(now: Self.t0 + .seconds(10), queueEmpty: true) == .requestTimedOut)
        let answer = Fixture.answer(exchange.timeOutRequest(now: Self.t0 + .seconds(10)))
        #expect(answer?.answer.status == .requestTimeout)
        #expect(Fixture.json(answer)["reason"] as? String == "request_timeout")
        #expect(answer?.close == true)
    }

    @Test func theRestOfABodyAfterAnEarlyAnswerIsBoundByTheSameTimeout() throws {
        let snapshot = try Fixture.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), requestTimeout: .seconds(10), now: Self.t0)
        let big = [UInt8](repeating: UInt8(ascii: " "), count: 2048)
        // A declared length over the 1 KiB max_body: answered 413 from the head, and the body keeps coming.
        let early = exchange.receivedHead(try Fixture.head(body: big), now: Self.t0, snapshot: snapshot, durabilityUnmet: nil)
        #expect(Fixture.answer(early)?.answer.status.code == 413)
        let dropped = exchange.receivedBody(ByteBuffer(bytes: big), now: Self.t0)
        #expect(dropped.isNone)
        exchange.noteActivity(at: Self.t0 + .seconds(9))
        let drained = exchange.receivedBody(ByteBuffer(bytes: [0x20]), now: Self.t0 + .seconds(9))
        #expect(drained.isNone)
        #expect(exchange.idleCheck(now: Self.t0 + .seconds(10), queueEmpty: true) == .requestTimedOut)
        guard case .close = exchange.timeOutRequest(now: Self.t0 + .seconds(10)) else {
            Issue.record("an answered request that never ends is closed")
            return
        }
    }

    @Test func aCallWaitingForRedisIsNotTimedOutAndTheNextRequestStartsAFreshTimeout() throws {
        let snapshot = try Fixture.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), requestTimeout: .seconds(10), now: Self.t0)
        _ = exchange.bytesArrived(at: Self.t0)
        guard case .store = Fixture.send(&exchange, try Fixture.head(), snapshot: snapshot, at: Self.t0) else {
            Issue.record("expected the event to be stored")
            return
        }
        // Read in full: Redis's own command timeout bounds the wait, not the request timeout.
        #expect(exchange.idleCheck(now: Self.t0 + .seconds(30), queueEmpty: true) != .requestTimedOut)
        _ = exchange.stored(.success(.accepted(streamID: "1-0")), now: Self.t0 + .seconds(30))
        #expect(exchange.requestStarted == nil)
        let next = exchange.bytesArrived(at: Self.t0 + .seconds(40))
        #expect(next)
        #expect(exchange.idleCheck(now: Self.t0 + .seconds(45), queueEmpty: true) == .checkAgain(in: .milliseconds(2500)))
        #expect(exchange.idleCheck(now: Self.t0 + .seconds(50), queueEmpty: true) == .requestTimedOut)
    }

    @Test func aBodyOverTheBufferBudgetIsAnswered503AndTheConnectionCloses() throws {
        let snapshot = try Fixture.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        _ = exchange.receivedHead(try Fixture.head(), now: Self.t0, snapshot: snapshot, durabilityUnmet: nil)
        #expect(exchange.isReadingBody)
        let answer = Fixture.answer(exchange.bodyRefused(now: Self.t0))
        #expect(answer?.answer.status == .serviceUnavailable)
        #expect(answer?.answer.retryAfter == 1)
        #expect(Fixture.json(answer)["reason"] as? String == "buffer_full")
        #expect(answer?.close == true)
        #expect(!exchange.isReadingBody)
    }
}

extension IngressExchange.Action {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
