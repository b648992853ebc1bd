import NIOCore
import NIOHTTP1
import SluiceCore
import SluiceRedis

/// One HTTP/1.1 connection of the edge, as a state machine without I/O: request parts, key
/// lookups, Redis's verdict and clock ticks go in; what to do next comes out (answer, fetch keys,
/// store the event, pass the request to the router, close).
///
/// It owns the order refusals are answered in (docs/http.md): the method (405), durability (503),
/// then the head's checks (404, 400, 413 declared), then the body's size (413), verification
/// (401/400, or 503 when only the JWKS could tell), the JSON check, and only then the write to
/// Redis, whose reply alone can turn into a 2xx. Time comes in with each event, so the tests drive it, idle timeout included, without
/// sockets or sleeping. `EdgeConnectionHandler` carries the actions out.
struct IngressExchange {
    /// A webhook call from its head on. A class: the states it moves through hold it by one
    /// reference instead of retaining each of its strings at every step.
    final class Call {
        let request: IngressRequest
        let started: NIODeadline
        let keepAlive: Bool

        init(request: IngressRequest, started: NIODeadline, keepAlive: Bool) {
            self.request = request
            self.started = started
            self.keepAlive = keepAlive
        }
    }

    /// The answer to write, with what the handler needs to record it.
    struct Answer {
        var answer: IngressAnswer
        var counters: IngressMetrics.SourceCounters
        /// From the head to this answer.
        var duration: TimeAmount
        /// Close the connection once this answer is out (`Connection: close` is sent).
        var close: Bool
        /// A HEAD request's answer: the head alone.
        var omitsBody: Bool
        /// The request was read to its end, so the next one may start once this is written.
        var requestComplete: Bool
    }

    enum Action {
        /// Nothing to do until the next event.
        case none
        /// The request that was answered early has ended: the next may start.
        case completed
        /// The part belongs to a request the router answers: pass it on.
        case forward
        case answer(Answer)
        /// Look up the source's JWKS and come back with `keysArrived`.
        case fetchKeys(EdgeSnapshot.Source, KeyStep, now: Int64)
        /// Make the event durable and come back with `stored`.
        /// Hand the event to Redis on the terms of its source (dedupe window, log retention,
        /// replication).
        case store(IngressEvent, EdgeSnapshot.Source)
        /// The parts make no sense (a request inside a request): close without answering.
        case close
        /// The client sent `Expect: 100-continue` and the head is acceptable: tell it to send the body.
        case sendContinue
    }

    /// Which JWKS lookup a verification waits for, in the order it tries them.
    enum KeyStep: Equatable {
        /// The set already cached, fresh or not.
        case cached
        /// A fresh set, fetched if the cached one expired.
        case current
        /// A refetch, because a key the request names may have been published since.
        case afterMiss
    }

    /// The answer of a JWKS lookup, as `keysArrived` needs it.
    struct KeyLookup {
        var keySet: JSONWebKeySet?
        /// Whether the source's cache holds a key set after the lookup and its last fetch
        /// succeeded (``JWKSCache/hasCurrentKeys``): only then is a key missing from it a refusal.
        var keysAreCurrent: Bool
        /// Seconds until the cache may fetch again, for a 503's `Retry-After`.
        var retryAfter: Int
    }

    enum IdleDecision: Equatable {
        case close
        /// The current request was not read within the request timeout: `timeOutRequest` says how to end it.
        case requestTimedOut
        case checkAgain(in: TimeAmount)

        /// When to look again; now for the decisions that act at once.
        var delay: TimeAmount {
            if case .checkAgain(let delay) = self { return delay }
            return .zero
        }
    }

    enum State {
        case idle
        /// The router's: parts go on until both the request and its answer ended.
        case forwarded(requestEnded: Bool, answerEnded: Bool)
        /// A webhook call whose head checked out; collecting its body.
        case reading(Call, body: ByteBuffer?)
        /// Verification needs the source's JWKS.
        case awaitingKeys(Call, body: [UInt8], verdict: WebhookVerification, step: KeyStep, now: Int64, receivedAtMillis: Int64)
        /// The event went to Redis; the answer follows its reply.
        case storing(Call)
        /// Answered before its end (an early refusal): the rest of the body is dropped.
        case answered
    }

    let idleTimeout: TimeAmount
    /// From a request's first byte to its end.
    let requestTimeout: TimeAmount
    /// Not `private(set)`: the verification steps in `IngressExchange+Verification.swift` move it too.
    var state = State.idle {
        didSet {
            if case .idle = state { requestStarted = nil }
        }
    }
    /// When the first byte of the request being read arrived; nil between requests.
    private(set) var requestStarted: NIODeadline?
    /// Set by shutdown or by an answer that closes: nothing more is read or started.
    private(set) var closing = false
    private(set) var lastActivity: NIODeadline

    init(idleTimeout: TimeAmount, requestTimeout: TimeAmount = .seconds(10), now: NIODeadline) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.lastActivity = now
    }

    /// Whether the next part belongs to the current request (or starts one), rather than to a
    /// request that must wait until the current answer is written.
    var takesParts: Bool {
        switch state {
        case .idle, .reading, .answered: true
        case .forwarded(let requestEnded, _): !requestEnded
        case .awaitingKeys, .storing: false
        }
    }

    var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    /// A webhook call's body is being collected (its chunks count against the edge's buffer budget).
    var isReadingBody: Bool {
        if case .reading = state { return true }
        return false
    }

    /// The connection waits for nothing but its client: between requests, or reading one. Not
    /// while a call is verified against fetched keys or written to Redis, nor while the router answers.
    var waitsOnlyForClient: Bool {
        switch state {
        case .idle, .reading, .answered: true
        case .forwarded(let requestEnded, _): !requestEnded
        case .awaitingKeys, .storing: false
        }
    }

    // MARK: - Request parts

    /// Anything read from the connection counts as activity for the idle timeout.
    mutating func noteActivity(at now: NIODeadline) {
        lastActivity = now
    }

    /// Raw bytes arrived, before HTTP parsing: between requests they are the first of the next
    /// one, which starts its request timeout (a head trickled a byte at a time is never parsed, so
    /// only this sees it). Returns whether a request started.
    mutating func bytesArrived(at now: NIODeadline) -> Bool {
        guard requestStarted == nil, case .idle = state else { return false }
        requestStarted = now
        return true
    }

    /// A request starts. `durabilityUnmet` is why Redis's durability falls short, or nil.
    mutating func receivedHead(
        _ head: HTTPRequestHead, now: NIODeadline, snapshot: @autoclosure () -> EdgeSnapshot, durabilityUnmet: @autoclosure () -> String?
    ) -> Action {
        guard case .idle = state else { return protocolViolation() }
        if requestStarted == nil { requestStarted = now }
        guard WebhookTarget.isWebhookPath(head.uri) else {
            state = .forwarded(requestEnded: false, answerEnded: false)
            // The router's channel sees only a `Connection: close` header, not an HTTP/1.0
            // request's lack of keep-alive: the connection closes after the router's answer.
            if !head.isKeepAlive { closing = true }
            return .forward
        }
        // An HTTP/1.0 message framed by Transfer-Encoding cannot be trusted to end where an HTTP/1.0
        // proxy in front thinks it does (RFC 9112 §6.1): answer it, then close.
        let keepAlive = head.isKeepAlive && !(head.version.minor == 0 && head.headers.contains(name: "transfer-encoding"))
        let snapshot = snapshot()
        let target = WebhookTarget(uri: head.uri)
        let counters = target.flatMap { snapshot.sources[$0.source]?.counters } ?? snapshot.unknownSource
        let headers = WebhookHeaders(head.headers)
        // A client waiting for `100 Continue` sends no body after a refusal, so the connection
        // cannot be kept by reading and dropping one: it closes after the answer.
        let expectsContinue = head.version.minor >= 1 && headers.expect?.lowercased() == "100-continue"
        func refuse(_ rejection: IngressRejection) -> Action {
            if expectsContinue { closing = true }
            state = .answered
            return answer(
                rejection.answer, counters: counters, started: now, keepAlive: keepAlive, now: now, omitsBody: head.method == .HEAD,
                requestComplete: false)
        }
        // Under /webhooks/ but not one or two segments: the edge's to refuse, in JSON like
        // every answer to a webhook path.
        guard let target else { return refuse(.notAWebhookPath()) }
        guard head.method == .POST else { return refuse(.methodNotAllowed()) }
        if durabilityUnmet() != nil { return refuse(.durabilityUnmet()) }
        do throws(IngressRejection) {
            let request = try IngressRequest(target: target, headers: headers, snapshot: snapshot)
            state = .reading(Call(request: request, started: now, keepAlive: keepAlive), body: nil)
            return expectsContinue ? .sendContinue : .none
        } catch {
            return refuse(error)
        }
    }

    mutating func receivedBody(_ chunk: ByteBuffer, now: NIODeadline) -> Action {
        switch state {
        case .forwarded(false, _):
            return .forward
        case .reading(let call, var body):
            state = .answered  // drops the enum's reference to `body`, so appending does not copy it
            if body == nil {
                body = chunk
            } else {
                var chunk = chunk
                body!.writeBuffer(&chunk)
            }
            guard body!.readableBytes <= call.request.maxBody else {
                return answer(IngressRejection.bodyTooLarge(limit: call.request.maxBody).answer, for: call, now: now, requestComplete: false)
            }
            state = .reading(call, body: body)
            return .none
        case .answered:
            return .none
        case .idle, .forwarded(true, _), .awaitingKeys, .storing:
            return protocolViolation()
        }
    }

    /// The edge buffers as many request bodies as it may: the call being read is refused with 503
    /// and the connection closed, since the rest of its body would only be read to be dropped.
    mutating func bodyRefused(now: NIODeadline) -> Action {
        guard case .reading(let call, _) = state else { return .none }
        closing = true
        return answer(IngressRejection.bufferFull().answer, for: call, now: now, requestComplete: false)
    }

    /// The request's end. `unixMillis` is the wall clock: signatures' timestamps and the event's
    /// `received_at` are judged by it.
    mutating func receivedEnd(now: NIODeadline, unixMillis: Int64) -> Action {
        switch state {
        case .forwarded(false, let answerEnded):
            state = answerEnded ? .idle : .forwarded(requestEnded: true, answerEnded: false)
            return .forward
        case .reading(let call, let body):
            let bytes = body.map { Array(buffer: $0) } ?? []
            let unixSeconds = unixMillis / 1000
            let verdict = call.request.verify(body: bytes, now: unixSeconds, keySet: nil)
            if case .needsKeySet = verdict, call.request.source.hasKeySet {
                // Only now, and only for such calls, is the JWKS consulted: a `v1` call that
                // verifies never touches the cache's lock.
                state = .awaitingKeys(call, body: bytes, verdict: verdict, step: .cached, now: unixSeconds, receivedAtMillis: unixMillis)
                return .fetchKeys(call.request.source, .cached, now: unixSeconds)
            }
            return verified(call, body: bytes, verdict: verdict, retryAfter: 10, receivedAtMillis: unixMillis, now: now)
        case .answered:
            state = .idle
            return .completed
        case .idle, .forwarded(true, _), .awaitingKeys, .storing:
            return protocolViolation()
        }
    }

    // MARK: - Results

    /// Redis answered the write of the current call's event.
    mutating func stored(_ result: Result<IngestOutcome, RedisError>, now: NIODeadline) -> Action {
        guard case .storing(let call) = state else { return .none }
        let answer = switch result {
        case .success(let outcome): IngressAnswer.stored(outcome, id: call.request.id)
        case .failure(let error) where error.kind == .notReplicated: IngressRejection.notReplicated().answer
        case .failure(let error): IngressRejection.storeUnavailable(outcomeUnknown: error.outcomeUnknown).answer
        }
        return self.answer(answer, for: call, now: now, requestComplete: true)
    }

    /// The router wrote the end of its answer to the forwarded request.
    /// - Returns: whether the request is complete (the next may start) and whether to close now.
    mutating func routerAnswerEnded(now: NIODeadline) -> (requestComplete: Bool, close: Bool) {
        lastActivity = now
        guard case .forwarded(let requestEnded, _) = state else { return (false, closing) }
        state = requestEnded ? .idle : .forwarded(requestEnded: false, answerEnded: true)
        return (requestEnded, closing)
    }

    // MARK: - Time and shutdown

    /// The connection's timer fired. `queueEmpty`: no pipelined request waits.
    ///
    /// The timer is not moved for each request (that would cost a timer per call): it comes back
    /// at least every quarter of the request timeout, so a request is ended at most a quarter
    /// late.
    func idleCheck(now: NIODeadline, queueEmpty: Bool) -> IdleDecision {
        let period = TimeAmount.nanoseconds(max(requestTimeout.nanoseconds / 4, 1_000_000))
        if let started = requestStarted, waitsOnlyForClient {
            let elapsed = now - started
            if elapsed >= requestTimeout { return .requestTimedOut }
            return .checkAgain(in: min(period, requestTimeout - elapsed))
        }
        let idle = isIdle && queueEmpty
        let idleFor = now - lastActivity
        if idle && idleFor >= idleTimeout { return .close }
        // Busy connections are looked at again a whole period later.
        let next = idle ? idleTimeout - idleFor : idleTimeout
        return .checkAgain(in: max(min(next, period), .milliseconds(1)))
    }

    /// Ends a request that was not read within the request timeout: a webhook call being read is
    /// answered 408 (and the connection closed after it); any other, such as a head still
    /// trickling in, is closed without an answer.
    mutating func timeOutRequest(now: NIODeadline) -> Action {
        closing = true
        guard case .reading(let call, _) = state else { return .close }
        return answer(IngressRejection.requestTimeout().answer, for: call, now: now, requestComplete: false)
    }

    /// NIO's decoder could not frame the next request: its head is over the edge's limits, or the
    /// bytes are not HTTP/1.1. When no earlier request is still owed an answer, it is answered
    /// like any refusal, and the connection closes after it (nothing after it can be framed);
    /// nil otherwise, and the connection is left to the router's error handling.
    /// `.none` when the edge is already closing the connection (a head cut off by its own request
    /// timeout): the decoder's complaint about the cut is no request of the client's, so it is
    /// neither answered nor counted as malformed.
    mutating func unparseable(_ rejection: IngressRejection, counters: IngressMetrics.SourceCounters, now: NIODeadline) -> Action? {
        if closing { return Action.none }
        switch state {
        case .idle:
            closing = true
            state = .answered
            return answer(
                rejection.answer, counters: counters, started: requestStarted ?? now, keepAlive: false, now: now, omitsBody: false,
                requestComplete: false)
        case .reading(let call, _):
            // A webhook call whose body cannot be framed (a bad chunk size, say): its own answer.
            closing = true
            return answer(rejection.answer, for: call, now: now, requestComplete: false)
        default:
            return nil
        }
    }

    /// The client closed its sending side (`shutdown(SHUT_WR)`; HTTP/1.0 clients do) after its
    /// request. A webhook call being verified or stored still gets its answer, and the connection
    /// closes after it: returns `.wait` then. `.closeNow` when an answer is already out and only
    /// the rest of its request was awaited; `.passOn` otherwise (idle, or the router's request,
    /// which the router's channel handles).
    enum InputClosed { case wait, closeNow, passOn }

    mutating func inputClosed() -> InputClosed {
        switch state {
        case .idle, .forwarded:
            return .passOn
        case .answered:
            closing = true
            return .closeNow
        case .reading, .awaitingKeys, .storing:
            closing = true
            return .wait
        }
    }

    /// The server is shutting down. Returns whether to close at once (nothing in progress);
    /// otherwise the current answer is the last, and closes.
    mutating func quiesce(queueEmpty: Bool) -> Bool {
        closing = true
        return isIdle && queueEmpty
    }

    // MARK: - Answers

    mutating func answer(_ answer: IngressAnswer, for call: Call, now: NIODeadline, requestComplete: Bool) -> Action {
        state = requestComplete ? .idle : .answered
        return self.answer(
            answer, counters: call.request.source.counters, started: call.started, keepAlive: call.keepAlive, now: now,
            omitsBody: false, requestComplete: requestComplete)
    }

    private mutating func answer(
        _ answer: IngressAnswer, counters: IngressMetrics.SourceCounters, started: NIODeadline, keepAlive: Bool, now: NIODeadline,
        omitsBody: Bool, requestComplete: Bool
    ) -> Action {
        lastActivity = now
        let close = !keepAlive || closing
        if close { closing = true }
        return .answer(
            Answer(
                answer: answer, counters: counters, duration: now - started, close: close, omitsBody: omitsBody,
                requestComplete: requestComplete))
    }

    private mutating func protocolViolation() -> Action {
        // NIO's decoder never starts a request inside another; nothing sane can follow.
        closing = true
        return .close
    }
}
