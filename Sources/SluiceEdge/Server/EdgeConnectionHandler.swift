import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SluiceCore
import SluiceRedis

/// One HTTP/1.1 connection of the edge: drives its `IngressExchange` and carries out what it says,
/// for every request under `/webhooks/`; other requests go on to Hummingbird's router
/// (`/healthz`, `/readyz`, `/metrics`, and 404 for the rest).
///
/// Everything a webhook call waits for comes back to the connection's event loop by callback:
/// Redis's reply to the write, and for sources with a JWKS the key set (`JWKSCache`). No task
/// and no hop to Swift's cooperative pool per request. The write goes through the Redis
/// connection that lives on this same loop (`RedisLoopConnection`), so neither the command nor
/// its reply crosses a thread.
///
/// Because it sees every request and every answer, it also does what Hummingbird's connection
/// handlers would: one request at a time (a pipelining client's next request waits until the
/// answer before it is written), closing idle connections, and closing once the current
/// answer is out when the server shuts down.
final class EdgeConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    /// Encoded bytes: the router's answers come through NIO's encoder, this handler's own are
    /// written finished.
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// What every connection's handler shares.
    struct Dependencies: Sendable {
        let state: EdgeState
        /// Each partition's store, and its Redis connection per event loop.
        let partitions: IngressPartitions
        let metrics: IngressMetrics
        let gate: DurabilityGate
        let logger: Logger
        /// The wall clock signatures and `received_at` are judged by.
        let clock: @Sendable () -> Date
        let serverName: String
        let idleTimeout: Duration
        /// Open connections, buffered bodies and the request timeout, shared by every connection.
        let registry: EdgeConnectionRegistry
        /// Where refused calls are logged, a few lines per kind however many there are.
        let refusals: IngressRefusalLog
    }

    /// More queued parts than this (a client pipelining ahead) stop reading from the socket.
    private static let queueLimit = 64

    let dependencies: Dependencies
    private var exchange: IngressExchange
    /// Parts that arrived while an earlier request's answer was pending.
    private var queue = CircularBuffer<HTTPServerRequestPart>()
    /// The decoder could not frame what followed the queued requests: answered once they are.
    private var pendingParserError: HTTPParserError?
    private var readHeld = false
    private var idleCheck: Scheduled<Void>?
    /// Its own context, for when the router's answer ends (reported by `RouterAnswerObserver`).
    private var context: ChannelHandlerContext?
    /// The Redis connection on this channel's event loop, looked up once per HTTP connection.
    private var redis: RedisLoopConnection?
    /// Why the call being answered could not be stored, for the refusal's log line.
    private var storeFailure: RedisError?
    var date = HTTPDateHeader()
    /// The client closed its sending side while a call of its was in progress.
    private var inputClosed = false
    /// This connection in the registry; set once the handler is in a pipeline.
    private var ticket: EdgeConnectionTicket?
    /// What the ticket last said, so it is written only on change.
    private var ticketSheddable = true
    private var ticketSince = NIODeadline.uptimeNanoseconds(0)

    init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
        self.exchange = IngressExchange(
            idleTimeout: TimeAmount(dependencies.idleTimeout),
            requestTimeout: TimeAmount(dependencies.registry.limits.requestTimeout), now: .now())
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = NIODeadline.now()
        exchange.noteActivity(at: now)
        let part = unwrapInboundIn(data)
        // An answer that closes has ended its request: what the client sends after it is not
        // read, let alone stored (RFC 9112 §9.6) — its sender gets no answer and retries. Until
        // then (an early answer's body still arriving) the parts are the current request's.
        if exchange.closing && exchange.isIdle { return }
        if queue.isEmpty && exchange.takesParts {
            process(part, now: now, context: context)
        } else if !exchange.closing {
            queue.append(part)
        }
        updateTicket()
    }

    /// A request NIO's decoder cannot frame gets a JSON answer like any refusal — after the
    /// answers still owed to the requests before it, in order. (Handed on at once, Hummingbird
    /// wrote a bare 400 and closed: a call pipelined before the junk was stored but never got its
    /// 202, and the sender read the 400 as that call's.)
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if pendingParserError != nil, case .dataReceivedInErrorState? = error as? ByteToMessageDecoderError {
            // More bytes after those that could not be framed (a later segment): nothing can use
            // them, and handed on they made Hummingbird close before the owed answers went out.
            return
        }
        guard let parserError = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        // Parts queued, or a request read in full whose answer comes later (a call being verified
        // or stored, the router's request): those answers go first.
        if !queue.isEmpty || !exchange.takesParts {
            pendingParserError = parserError
            return
        }
        answerUnparseable(parserError, context: context)
    }

    /// Answers the request that could not be framed (or hands the error on when the exchange
    /// cannot: an early answer already went out, and the rest of its body was being dropped).
    private func answerUnparseable(_ parserError: HTTPParserError, context: ChannelHandlerContext) {
        switch exchange.unparseable(.unparseable(parserError), counters: dependencies.state.current.unknownSource, now: .now()) {
        case .answer(let answer)?:
            write(answer, context: context)
            updateTicket()
        case .some(.none):
            // Already closing: the cut-off head it complains about was the edge's own doing.
            return
        default:
            context.fireErrorCaught(parserError)
        }
    }

    /// Raw bytes arrived (`RequestStartObserver`, before the decoder): between requests, the next
    /// request's timeout starts now, and until its head is parsed its bytes, held by the decoder,
    /// count against the buffer budget. Returns false when they do not fit: the caller closes.
    func bytesArrived(_ count: Int) -> Bool {
        if exchange.bytesArrived(at: .now()) { updateTicket() }
        guard exchange.isIdle, let ticket else { return true }
        return dependencies.registry.reserve(count, for: ticket)
    }

    /// Tells the registry whether this connection may be shed and since when it waits.
    private func updateTicket() {
        guard let ticket else { return }
        let sheddable = exchange.waitsOnlyForClient
        if sheddable != ticketSheddable {
            ticketSheddable = sheddable
            ticket.sheddable.store(sheddable, ordering: .relaxed)
        }
        let since = exchange.requestStarted ?? exchange.lastActivity
        if since != ticketSince {
            ticketSince = since
            ticket.since.store(since.uptimeNanoseconds, ordering: .relaxed)
        }
    }

    private func process(_ part: HTTPServerRequestPart, now: NIODeadline, context: ChannelHandlerContext) {
        let action: IngressExchange.Action
        var part = part
        switch part {
        case .head(var head):
            // The decoder let go of the head's bytes.
            if let ticket { dependencies.registry.release(ticket) }
            // A server must accept the absolute form (`POST http://host/webhooks/x`, RFC 9112
            // §3.2.2); the exchange and the router both route on the path.
            if head.uri.utf8.first != UInt8(ascii: "/"), let path = Self.originForm(head.uri) {
                head.uri = path
                part = .head(head)
            }
            action = exchange.receivedHead(
                head, now: now, snapshot: dependencies.state.current, durabilityUnmet: dependencies.gate.unmetReason)
        case .body(let chunk):
            if exchange.isReadingBody, let ticket, !dependencies.registry.reserve(chunk.readableBytes, for: ticket) {
                action = exchange.bodyRefused(now: now)
            } else {
                action = exchange.receivedBody(chunk, now: now)
            }
        case .end:
            action = exchange.receivedEnd(now: now, unixMillis: dependencies.clock().unixMillis)
        }
        if case .forward = action {
            context.fireChannelRead(wrapInboundOut(part))
            // The router's request is over and so was its answer: the next may start.
            if case .end = part, exchange.isIdle { finished(context: context) }
        } else {
            perform(action, context: context)
        }
    }

    /// The path and query of an absolute-form request target (`http://host:port/path?query`),
    /// or nil when `uri` is not one.
    static func originForm(_ uri: String) -> String? {
        let lowered = uri.prefix(8).lowercased()
        let schemeLength = lowered.hasPrefix("http://") ? 7 : lowered.hasPrefix("https://") ? 8 : 0
        guard schemeLength > 0 else { return nil }
        let rest = uri.utf8.dropFirst(schemeLength)
        guard let slash = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else { return "/" }
        let tail = String(Substring(uri.utf8[slash...]))
        return tail.hasPrefix("?") ? "/" + tail : tail
    }

    /// Carries out what the exchange asked for; results come back as events on the event loop.
    private func perform(_ action: IngressExchange.Action, context: ChannelHandlerContext) {
        switch action {
        case .none, .forward:
            break
        case .completed:
            finished(context: context)
        case .answer(let answer):
            write(answer, context: context)
            if answer.requestComplete { finished(context: context) }
        case .fetchKeys(let source, let step, let now):
            fetchKeys(source, step: step, now: now, context: context)
        case .store(let event, let source):
            store(event, source: source, context: context)
        case .close:
            queue.removeAll()
            context.close(promise: nil)
        case .sendContinue:
            var buffer = context.channel.allocator.buffer(capacity: 25)
            buffer.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        }
        updateTicket()
    }

    private func store(_ event: IngressEvent, source terms: EdgeSnapshot.Source, context: ChannelHandlerContext) {
        let partitions = dependencies.partitions
        let partition = partitions.partition(of: event.webhookID)
        let redis: RedisLoopConnection
        if let cached = self.redis, partition == 0 || partitions.sharesConnections {
            redis = cached
        } else {
            redis = partitions.connections(partition).connection(on: context.eventLoop)
        }
        partitions.store(partition).accept(
            event, dedupeWindow: terms.config.dedupeWindow, logRetention: terms.logRetention, replication: terms.replication, on: redis
        ) { [self] result in
            // Already on this channel's loop (the connection is the loop's own), and never inside
            // `accept`, so the exchange has moved to `.storing` before its reply arrives.
            if case .failure(let error) = result { storeFailure = error }
            perform(exchange.stored(result, now: .now()), context: context)
            // Answered or not (a connection already closing answers nothing), it is this call's.
            storeFailure = nil
        }
    }

    private func fetchKeys(_ source: EdgeSnapshot.Source, step: IngressExchange.KeyStep, now: Int64, context: ChannelHandlerContext) {
        guard let cache = dependencies.state.keySetCache(for: source.config) else {
            let lookup = IngressExchange.KeyLookup(keySet: nil, keysAreCurrent: false, retryAfter: 10)
            return perform(exchange.keysArrived(lookup, now: .now()), context: context)
        }
        @Sendable func lookup(_ keySet: JSONWebKeySet?) -> IngressExchange.KeyLookup {
            IngressExchange.KeyLookup(keySet: keySet, keysAreCurrent: cache.hasCurrentKeys, retryAfter: cache.retryAfter(now: now))
        }
        if step == .cached {
            // Never waits: answered here, on the loop. An expired set counts as none, so the next
            // step fetches (falling back to the expired set only if that fetch fails).
            return perform(exchange.keysArrived(lookup(cache.fresh(now: now)), now: .now()), context: context)
        }
        let loop = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let completion: JWKSCache.Completion = { keySet in
            // On whichever thread finished the fetch (or this one): hand off, as with Redis.
            loop.eventLoop.execute {
                let (handler, context) = loop.value
                handler.perform(handler.exchange.keysArrived(lookup(keySet), now: .now()), context: context)
            }
        }
        switch step {
        case .cached: break
        case .current: cache.current(now: now, completion: completion)
        case .afterMiss: cache.refetchAfterMiss(now: now, completion: completion)
        }
    }

    // MARK: - Answers

    private func write(_ answer: IngressExchange.Answer, context: ChannelHandlerContext, fullClose: Bool = false) {
        // The client can send nothing more: close the whole connection once the answer is out.
        let fullClose = fullClose || inputClosed
        record(answer)
        // The call's body is no longer held for it (answered, stored, or dropped).
        if let ticket { dependencies.registry.release(ticket) }
        var buffer = context.channel.allocator.buffer(capacity: 192 + answer.answer.body.count)
        answer.answer.render(
            into: &buffer, date: date.current(), server: dependencies.serverName, close: answer.close, omitsBody: answer.omitsBody)
        if fullClose {
            // A timed-out client may never read or close: take the socket back once the answer is out.
            queue.removeAll()
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: written)
        } else if answer.close {
            queue.removeAll()
            closeAfter(write: wrapOutboundOut(.byteBuffer(buffer)), promise: nil, context: context)
        } else {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        }
    }

    private func record(_ answer: IngressExchange.Answer) {
        let answered = answer.answer
        dependencies.metrics.record(answer.counters, outcome: answered.outcome, duration: answer.duration)
        guard answered.status.code >= 400 else { return }
        defer { storeFailure = nil }
        dependencies.refusals.refused(
            .init(source: answer.counters.label, reason: answered.outcome, status: Int(answered.status.code)),
            remote: context?.channel.remoteAddress, error: storeFailure.map { "\($0)" })
    }

    /// Writes the last part of an answer, then half-closes: the sender reads the whole answer
    /// and closes its side (a full close with unread input could reset the connection first).
    /// `through` is the context the part is written from (the observer's, for the router's answers).
    private func closeAfter(
        write data: NIOAny, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext, through writer: ChannelHandlerContext? = nil
    ) {
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(mode: .output, promise: nil) }
        if let promise { written.futureResult.cascade(to: promise) }
        (writer ?? context).writeAndFlush(data, promise: written)
    }

    // MARK: - The router's answers

    /// The router's answer to the forwarded request ends with `data`, written from `observer`'s
    /// context (before the encoder): write it, then close, or start the next request.
    func routerAnswerEnds(_ data: NIOAny, promise: EventLoopPromise<Void>?, writingThrough observer: ChannelHandlerContext) {
        guard case .forwarded = exchange.state, let context else { return observer.write(data, promise: promise) }
        let (requestComplete, close) = exchange.routerAnswerEnded(now: .now())
        if close {
            queue.removeAll()
            return closeAfter(write: data, promise: promise, context: context, through: observer)
        }
        observer.write(data, promise: promise)
        if requestComplete { finished(context: context) }
    }

    func read(context: ChannelHandlerContext) {
        if queue.count >= Self.queueLimit {
            readHeld = true
        } else {
            context.read()
        }
    }

    /// The current request was read and answered: serve a waiting one, if any.
    private func finished(context: ChannelHandlerContext) {
        if !queue.isEmpty {
            while !queue.isEmpty && exchange.takesParts && !exchange.closing {
                process(queue.removeFirst(), now: .now(), context: context)
            }
            // Outside a read cycle: the router's channel hands parts on at the end of a read.
            context.fireChannelReadComplete()
        }
        resumeReading(context: context)
        if let pending = pendingParserError, queue.isEmpty, exchange.takesParts {
            pendingParserError = nil
            answerUnparseable(pending, context: context)
        }
    }

    private func resumeReading(context: ChannelHandlerContext) {
        if readHeld && queue.count < Self.queueLimit {
            readHeld = false
            context.read()
        }
    }

    // MARK: - Idle connections and shutdown

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        redis = dependencies.partitions.connections(0).connection(on: context.eventLoop)
        let channel = context.channel
        let ticket = EdgeConnectionTicket(now: exchange.lastActivity) { channel.close(promise: nil) }
        self.ticket = ticket
        ticketSince = exchange.lastActivity
        guard dependencies.registry.admit(ticket) else {
            self.ticket = nil
            return context.close(promise: nil)
        }
        scheduleIdleCheck(in: exchange.idleCheck(now: .now(), queueEmpty: true).delay, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        idleCheck?.cancel()
        idleCheck = nil
        if let ticket { dependencies.registry.remove(ticket) }
        ticket = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            // Passed on, the router's channel would end the connection at once, and an answer
            // still to come from Redis (the event stored) would never be written.
            switch exchange.inputClosed() {
            case .passOn: context.fireUserInboundEventTriggered(event)
            case .closeNow: context.close(promise: nil)
            case .wait:
                inputClosed = true
                queue.removeAll()
            }
            return
        }
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        // Server shutdown: close now if nothing is in progress, else once the current answer is out.
        if exchange.quiesce(queueEmpty: queue.isEmpty) {
            context.close(promise: nil)
        } else {
            queue.removeAll()
        }
    }

    private func scheduleIdleCheck(in delay: TimeAmount, context: ChannelHandlerContext) {
        let loop = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = loop.value
            handler.idleCheck = nil
            let now = NIODeadline.now()
            switch handler.exchange.idleCheck(now: now, queueEmpty: handler.queue.isEmpty) {
            case .close:
                context.close(promise: nil)
            case .requestTimedOut:
                handler.dependencies.registry.countTimedOut()
                switch handler.exchange.timeOutRequest(now: now) {
                case .answer(let answer): handler.write(answer, context: context, fullClose: true)
                default: context.close(promise: nil)
                }
            case .checkAgain(let delay):
                handler.scheduleIdleCheck(in: delay, context: context)
            }
        }
    }
}
