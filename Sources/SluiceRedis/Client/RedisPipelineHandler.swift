import NIOCore

/// The end of a Redis channel's pipeline: writes commands (encoded by `RESPCommandEncoder`) and
/// pairs each reply (from `RedisReplyDecoder`) with the oldest command still waiting, since Redis
/// answers a connection's commands in the order it received them.
///
/// When the channel breaks, every waiting command fails with the reason; when the oldest command
/// has waited longer than the command timeout, all of them fail with a timeout and the channel
/// is closed (its owner reconnects), so a stuck Redis cannot hold callers forever.
///
/// Used only on its channel's event loop, by `RedisLoopConnection`, which calls `send` directly
/// (no trip through the pipeline's type-erased `write` for each command).
final class RedisPipelineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = RedisReply
    typealias OutboundOut = RedisCommand

    /// A raw reply, error replies included: the caller decides what an error reply means.
    typealias Completion = (Result<RedisReply, RedisError>) -> Void

    private struct Waiting {
        let completion: Completion
        /// When this command times out (`.distantFuture` without a timeout).
        let deadline: NIODeadline
    }

    private let url: RedisURL
    private let commandTimeout: TimeAmount?
    private var waiting = CircularBuffer<Waiting>(initialCapacity: 64)
    private var context: ChannelHandlerContext?
    private var timeoutCheck: Scheduled<Void>?
    /// Why the channel is (being) closed; set once, first reason wins.
    private(set) var closeReason: RedisError?

    init(url: RedisURL, commandTimeout: Duration?) {
        self.url = url
        self.commandTimeout = commandTimeout.map { TimeAmount($0) }
    }

    /// Writes `command` without flushing (the owner flushes once per tick) and calls
    /// `completion` with its reply. Returns false, without calling `completion`, when the channel
    /// is closing: the caller reports the failure.
    func send(_ command: RedisCommand, completion: @escaping Completion) -> Bool {
        guard let context, closeReason == nil else { return false }
        let deadline = commandTimeout.map { NIODeadline.now() + $0 } ?? .distantFuture
        waiting.append(Waiting(completion: completion, deadline: deadline))
        context.write(wrapOutboundOut(command), promise: nil)
        if timeoutCheck == nil && commandTimeout != nil {
            scheduleTimeoutCheck(at: deadline, context: context)
        }
        return true
    }

    /// Commands written and not answered yet.
    var waitingCount: Int { waiting.count }

    /// Fails every waiting command with `error` and closes the channel.
    func fail(_ error: RedisError) {
        if closeReason == nil { closeReason = error }
        failWaiting(with: closeReason!)
        context?.close(promise: nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failWaiting(with: closeReason ?? lost("the channel was closed"))
        timeoutCheck?.cancel()
        timeoutCheck = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Replies still parsed after a failure belong to commands already failed.
        guard closeReason == nil else { return }
        let reply = unwrapInboundIn(data)
        guard let next = waiting.popFirst() else {
            return fail(RedisError(kind: .protocolViolation, message: "Redis at \(url) sent a reply no command was waiting for; reconnecting"))
        }
        next.completion(.success(reply))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if closeReason == nil { closeReason = lost("the server closed it") }
        failWaiting(with: closeReason!)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail((error as? RedisError) ?? lost("\(error)"))
    }

    private func failWaiting(with error: RedisError) {
        // A completion may send again (and fail at once, the channel is closing): take them all first.
        let failed = waiting
        waiting.removeAll()
        for command in failed {
            command.completion(.failure(error))
        }
    }

    private func lost(_ reason: String) -> RedisError {
        RedisError(
            kind: .connectionLost,
            message: "lost the connection to Redis at \(url): \(reason); the command may or may not have run; reconnecting")
    }

    /// One timer for the whole FIFO: deadlines only grow, so the oldest command is the one to watch.
    private func scheduleTimeoutCheck(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timeoutCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timeoutCheck = nil
            guard let oldest = waiting.first, let commandTimeout, self.context != nil else { return }
            if oldest.deadline <= .now() {
                fail(
                    RedisError(
                        kind: .timeout,
                        message: "no reply from Redis at \(url) within \(commandTimeout.nanoseconds / 1_000_000) ms; "
                            + "the command may or may not have run; reconnecting (is Redis overloaded or stopped?)"))
            } else {
                scheduleTimeoutCheck(at: oldest.deadline, context: context)
            }
        }
    }
}
