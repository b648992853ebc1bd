import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import SluiceCore
import SluiceRedis

/// One HTTP/1.1 connection of the edge: answers webhook calls on the event loop and passes
/// everything else on to Hummingbird's router, keeping answers in request order.
///
/// For `POST /webhooks/{source}[/{channel}]` it collects the body, verifies, hands the event to
/// Redis and writes the answer when Redis confirmed it — no task and no hop to Swift's
/// cooperative pool, which on Hummingbird's path cost more than the rest of a request. It runs
/// the same steps as `IngressController` (the shared `IngressRequest` and `IngressAnswer`), so
/// both paths answer alike. Other methods and paths, percent-encoded paths (the router decodes
/// those) and sources verified against a JWKS (whose key fetches wait) go to the router untouched.
///
/// Because it sees every request and every answer, it also does what Hummingbird's connection
/// handlers would: one request at a time (a pipelining client's next request waits until the
/// answer before it is written), closing idle connections, and closing once the current
/// answer is out when the server shuts down.
final class EdgeConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What every connection's handler shares.
    struct Dependencies: Sendable {
        let ingress: IngressController
        let gate: DurabilityGate
        let serverName: String
        let idleTimeout: Duration
    }

    /// The request being read or answered.
    private enum Current {
        case none
        /// The router's: parts go down the pipeline until both the request and its answer ended.
        case forwarded(requestEnded: Bool, answerEnded: Bool)
        /// A webhook call whose head checked out; collecting its body.
        case reading(WebhookCall, body: ByteBuffer?)
        /// The body is complete and Redis has the event; the answer follows its reply.
        case storing
        /// Answered before its end (an early refusal): the rest of the body is dropped.
        case answered
    }

    private struct WebhookCall {
        var request: IngressRequest
        var started: ContinuousClock.Instant
        var keepAlive: Bool
    }

    /// More queued parts than this (a client pipelining ahead) stop reading from the socket.
    private static let queueLimit = 64

    private let dependencies: Dependencies
    private var current = Current.none
    /// Parts that arrived while an earlier request's answer was pending.
    private var queue = CircularBuffer<HTTPServerRequestPart>()
    private var readHeld = false
    private var closing = false
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    private var date = HTTPDateHeader()

    init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        let part = unwrapInboundIn(data)
        if queue.isEmpty && takesParts {
            process(part, context: context)
        } else if !closing {
            queue.append(part)
        }
    }

    /// Whether the next part belongs to the current request (or starts one), rather than to a
    /// request that must wait for the current answer.
    private var takesParts: Bool {
        switch current {
        case .none, .reading, .answered: true
        case .forwarded(let requestEnded, _): !requestEnded
        case .storing: false
        }
    }

    private func process(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (current, part) {
        case (.none, .head(let head)):
            if let target = Self.webhookTarget(head) {
                start(head, target: target, context: context)
            } else {
                forward(part, context: context)
            }
        case (.forwarded(_, let answerEnded), .end):
            current = answerEnded ? .none : .forwarded(requestEnded: true, answerEnded: false)
            context.fireChannelRead(wrapInboundOut(part))
            if answerEnded { finished(context: context) }
        case (.forwarded, _), (.none, _):
            context.fireChannelRead(wrapInboundOut(part))
        case (.reading(let call, var body), .body(var chunk)):
            current = .storing  // drops the enum's reference to `body`, so appending does not copy it
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            guard body!.readableBytes <= call.request.maxBody else {
                current = .answered
                let rejection = IngressRejection.bodyTooLarge(limit: call.request.maxBody)
                return answer(dependencies.ingress.rejected(rejection, sourceName: call.request.sourceName), for: call, context: context)
            }
            current = .reading(call, body: body)
        case (.reading(let call, let body), .end):
            current = .storing
            store(call, body: body.map { Array(buffer: $0) } ?? [], context: context)
        case (.answered, .end):
            current = .none
            finished(context: context)
        case (.answered, _):
            break
        case (.reading, .head), (.storing, _):
            // The decoder never starts a request inside another; nothing sane can follow.
            context.close(promise: nil)
        }
    }

    private func forward(_ head: HTTPServerRequestPart, context: ChannelHandlerContext) {
        current = .forwarded(requestEnded: false, answerEnded: false)
        context.fireChannelRead(wrapInboundOut(head))
    }

    /// Checks what the head tells (durability, source, headers, declared size) and either starts
    /// collecting the body, answers at once, or hands the request to the router.
    private func start(_ head: HTTPRequestHead, target: (source: String, channel: String?), context: ChannelHandlerContext) {
        let ingress = dependencies.ingress
        let started = ContinuousClock.now
        let keepAlive = head.isKeepAlive
        if let reason = dependencies.gate.unmetReason {
            // Not logged per request, as on the router's path (DurabilityMiddleware).
            current = .answered
            return write(IngressRejection.durabilityUnmet(reason).answer, sourceName: target.source, started: started, keepAlive: keepAlive, context: context)
        }
        do throws(IngressRejection) {
            let request = try IngressRequest(
                sourceName: target.source, channel: target.channel, headers: WebhookHeaders(head.headers),
                snapshot: ingress.state.current)
            if request.mayFetchKeys { return forward(.head(head), context: context) }
            current = .reading(WebhookCall(request: request, started: started, keepAlive: keepAlive), body: nil)
        } catch {
            current = .answered
            write(ingress.rejected(error, sourceName: target.source), sourceName: target.source, started: started, keepAlive: keepAlive, context: context)
        }
    }

    private func store(_ call: WebhookCall, body: [UInt8], context: ChannelHandlerContext) {
        let ingress = dependencies.ingress
        let request = call.request
        let event: IngressEvent
        do throws(IngressRejection) {
            try ingress.verifyWithoutKeySet(request, body: body)
            event = try request.event(body: body, receivedAt: ingress.clock())
        } catch {
            current = .none
            answer(ingress.rejected(error, sourceName: request.sourceName), for: call, context: context)
            return finished(context: context)
        }
        let loop = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        ingress.store.accept(event, dedupeWindow: request.source.config.dedupeWindow) { result in
            // On the Redis connection's thread: only the hand-off happens here.
            loop.eventLoop.execute {
                let (handler, context) = loop.value
                let answer = switch result {
                case .success(let outcome): IngressAnswer.stored(outcome, id: request.id)
                case .failure(let error): ingress.storeFailed(error, call: request)
                }
                handler.current = .none
                handler.answer(answer, for: call, context: context)
                handler.finished(context: context)
            }
        }
    }

    // MARK: - Answers

    private func answer(_ answer: IngressAnswer, for call: WebhookCall, context: ChannelHandlerContext) {
        write(answer, sourceName: call.request.sourceName, started: call.started, keepAlive: call.keepAlive, context: context)
    }

    private func write(
        _ answer: IngressAnswer, sourceName: String, started: ContinuousClock.Instant, keepAlive: Bool, context: ChannelHandlerContext
    ) {
        dependencies.ingress.record(answer, sourceName: sourceName, started: started)
        let close = !keepAlive || closing
        var headers = HTTPHeaders()
        headers.reserveCapacity(answer.headers.count + 4)
        for field in answer.headers {
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: "Content-Length", value: String(answer.body.count))
        headers.add(name: "Date", value: date.current())
        headers.add(name: "Server", value: dependencies.serverName)
        if close { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        if close {
            closing = true
            queue.removeAll()
            closeAfter(write: wrapOutboundOut(.end(nil)), promise: nil, context: context)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    /// Writes the last part of an answer, then half-closes: the sender reads the whole answer
    /// and closes its side (a full close with unread input could reset the connection first).
    private func closeAfter(write data: NIOAny, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext) {
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(mode: .output, promise: nil) }
        if let promise { written.futureResult.cascade(to: promise) }
        context.writeAndFlush(data, promise: written)
    }

    // MARK: - Outbound: the router's answers

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data), case .forwarded(let requestEnded, _) = current else {
            return context.write(data, promise: promise)
        }
        lastActivity = .now()
        current = requestEnded ? .none : .forwarded(requestEnded: false, answerEnded: true)
        if closing {
            queue.removeAll()
            return closeAfter(write: data, promise: promise, context: context)
        }
        context.write(data, promise: promise)
        if requestEnded { finished(context: context) }
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
        guard !queue.isEmpty else { return resumeReading(context: context) }
        while !queue.isEmpty && takesParts && !closing {
            process(queue.removeFirst(), context: context)
        }
        // Outside a read cycle: the router's channel hands parts on at the end of a read.
        context.fireChannelReadComplete()
        resumeReading(context: context)
    }

    private func resumeReading(context: ChannelHandlerContext) {
        if readHeld && queue.count < Self.queueLimit {
            readHeld = false
            context.read()
        }
    }

    // MARK: - Idle connections and shutdown

    func handlerAdded(context: ChannelHandlerContext) {
        scheduleIdleCheck(after: dependencies.idleTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        // Server shutdown: close now if nothing is in progress, else once the current answer is out.
        if case .none = current, queue.isEmpty {
            context.close(promise: nil)
        } else {
            closing = true
            queue.removeAll()
        }
    }

    private var isIdle: Bool {
        if case .none = current { return queue.isEmpty }
        return false
    }

    private func scheduleIdleCheck(after delay: Duration, context: ChannelHandlerContext) {
        let loop = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(in: .init(delay)) {
            let (handler, context) = loop.value
            handler.idleCheck = nil
            let timeout = TimeAmount(handler.dependencies.idleTimeout)
            let idleFor = NIODeadline.now() - handler.lastActivity
            if handler.isIdle && idleFor >= timeout {
                context.close(promise: nil)
            } else {
                // Busy connections are looked at again a whole timeout later.
                let next = handler.isIdle ? timeout - idleFor : timeout
                handler.scheduleIdleCheck(after: .nanoseconds(max(next.nanoseconds, 1_000_000)), context: context)
            }
        }
    }

    // MARK: - Routing

    /// `(source, channel)` for a `POST /webhooks/{source}[/{channel}]` this handler can take.
    static func webhookTarget(_ head: HTTPRequestHead) -> (source: String, channel: String?)? {
        guard head.method == .POST else { return nil }
        let target = head.uri
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target[...]
        guard path.hasPrefix("/webhooks/"), !path.utf8.contains(UInt8(ascii: "%")) else { return nil }
        let parts = path.dropFirst("/webhooks/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts.contains(where: \.isEmpty) else { return nil }
        return (String(parts[0]), parts.count == 2 ? String(parts[1]) : nil)
    }
}
