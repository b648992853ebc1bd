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
        /// Refusals are logged, except durability's, which would be one line per call while Redis
        /// falls short (the monitor logs the change once).
        var logged: Bool
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
        case store(IngressEvent, dedupeWindow: Duration)
        /// The parts make no sense (a request inside a request): close without answering.
        case close
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
        /// Whether the source's cache holds any key set after the lookup.
        var cacheHasKeys: Bool
        /// Seconds until the cache may fetch again, for a 503's `Retry-After`.
        var retryAfter: Int
    }

    enum IdleDecision: Equatable {
        case close
        case checkAgain(in: TimeAmount)
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
    /// Not `private(set)`: the verification steps in `IngressExchange+Verification.swift` move it too.
    var state = State.idle
    /// Set by shutdown or by an answer that closes: nothing more is read or started.
    private(set) var closing = false
    private var lastActivity: NIODeadline

    init(idleTimeout: TimeAmount, now: NIODeadline) {
        self.idleTimeout = idleTimeout
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

    // MARK: - Request parts

    /// Anything read from the connection counts as activity for the idle timeout.
    mutating func noteActivity(at now: NIODeadline) {
        lastActivity = now
    }

    /// A request starts. `durabilityUnmet` is why Redis's durability falls short, or nil.
    mutating func receivedHead(
        _ head: HTTPRequestHead, now: NIODeadline, snapshot: @autoclosure () -> EdgeSnapshot, durabilityUnmet: @autoclosure () -> String?
    ) -> Action {
        guard case .idle = state else { return protocolViolation() }
        guard WebhookTarget.isWebhookPath(head.uri), let target = WebhookTarget(uri: head.uri) else {
            state = .forwarded(requestEnded: false, answerEnded: false)
            return .forward
        }
        let keepAlive = head.isKeepAlive
        let snapshot = snapshot()
        let counters = snapshot.sources[target.source]?.counters ?? snapshot.unknownSource
        func refuse(_ rejection: IngressRejection, logged: Bool = true) -> Action {
            state = .answered
            return answer(
                rejection.answer, counters: counters, started: now, keepAlive: keepAlive, now: now, omitsBody: head.method == .HEAD,
                requestComplete: false, logged: logged)
        }
        guard head.method == .POST else { return refuse(.methodNotAllowed()) }
        if let reason = durabilityUnmet() { return refuse(.durabilityUnmet(reason), logged: false) }
        do throws(IngressRejection) {
            let request = try IngressRequest(target: target, headers: WebhookHeaders(head.headers), snapshot: snapshot)
            state = .reading(Call(request: request, started: now, keepAlive: keepAlive), body: nil)
            return .none
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
        case .failure: IngressRejection.storeUnavailable().answer
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

    /// The idle check's timer fired. `queueEmpty`: no pipelined request waits.
    func idleCheck(now: NIODeadline, queueEmpty: Bool) -> IdleDecision {
        let idle = isIdle && queueEmpty
        let idleFor = now - lastActivity
        if idle && idleFor >= idleTimeout { return .close }
        // Busy connections are looked at again a whole timeout later.
        let next = idle ? idleTimeout - idleFor : idleTimeout
        return .checkAgain(in: max(next, .milliseconds(1)))
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
            omitsBody: false, requestComplete: requestComplete, logged: true)
    }

    private mutating func answer(
        _ answer: IngressAnswer, counters: IngressMetrics.SourceCounters, started: NIODeadline, keepAlive: Bool, now: NIODeadline,
        omitsBody: Bool, requestComplete: Bool, logged: Bool
    ) -> Action {
        lastActivity = now
        let close = !keepAlive || closing
        if close { closing = true }
        return .answer(
            Answer(
                answer: answer, counters: counters, duration: now - started, close: close, omitsBody: omitsBody,
                requestComplete: requestComplete, logged: logged))
    }

    private mutating func protocolViolation() -> Action {
        // NIO's decoder never starts a request inside another; nothing sane can follow.
        closing = true
        return .close
    }
}
