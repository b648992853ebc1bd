public import Logging
import Foundation
public import NIOCore
import NIOPosix

/// One Redis connection whose I/O runs on a SwiftNIO event loop, for callers that already are on
/// that loop (the edge's HTTP connections): a command and its reply cost no thread hand-off.
///
/// `RedisClient` runs hiredis on threads of its own, so every command from an event loop wakes
/// that thread and its reply wakes the loop again; at the edge's rates those wake-ups were most of
/// its CPU. Here the socket is a NIO channel on the caller's loop: commands are encoded as RESP
/// (`RESPCommandEncoder`), replies parsed by hiredis's reader (`RedisReplyDecoder`), and callbacks
/// run on the loop in command order (`RedisPipelineHandler`).
///
/// Pipelining: commands are written without a flush, and one flush per event-loop tick sends
/// everything issued in that tick (say, every request the loop read in one wake-up) in one
/// system call.
///
/// Failures: a lost connection fails every waiting command with a connection error and
/// reconnects at once; a failed connect makes commands fail at once (no waiting on a Redis that
/// is down) while reconnects are retried with exponential backoff. A command that gets no reply
/// within `commandTimeout` fails with `.timeout`, with every command behind it, and the
/// connection is replaced.
///
/// `@unchecked Sendable` is safe because all mutable state is touched only on `eventLoop`
/// (`send` and `run` require being on it; the async variants and `close` hop there first).
public final class RedisLoopConnection: @unchecked Sendable {
    /// Timeouts and backoff.
    public struct Options: Sendable {
        /// The longest a connect may take.
        public var connectTimeout: Duration
        /// The longest a command may wait for its reply; nil waits forever.
        public var commandTimeout: Duration?
        /// The first wait after a failed connect; it doubles after each failure up to `maximumBackoff`.
        public var reconnectBackoff: Duration
        /// The longest wait between two connect attempts while Redis is unreachable.
        public var maximumBackoff: Duration

        public init(
            connectTimeout: Duration = .seconds(2), commandTimeout: Duration? = .seconds(10),
            reconnectBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(2)
        ) {
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.reconnectBackoff = reconnectBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    /// A reply, with Redis's error replies as `.failure` of kind `.server`.
    public typealias Completion = (Result<RedisReply, RedisError>) -> Void

    /// Counters for tests and diagnostics.
    public struct Statistics: Sendable, Hashable {
        /// Commands handed to Redis (setup commands included).
        public var commands = 0
        /// Flushes that sent at least one command: `commands / flushes` is the pipelining factor.
        public var flushes = 0
        /// Connections established.
        public var connects = 0
        /// Connects begun, failed ones included.
        public var connectAttempts = 0
    }

    private enum State {
        /// Not connected and not trying (before the first command, or after a loss).
        case disconnected
        /// A connect is under way; commands wait for it, in order.
        case connecting(waiting: [(command: RedisCommand, completion: RedisPipelineHandler.Completion)])
        case connected(any Channel, RedisPipelineHandler, ready: Bool)
        /// The last connect failed: commands fail with its error until the next attempt.
        case backingOff(RedisError)
        case closed
    }

    /// The server this connection talks to (`description` hides the password).
    public let url: RedisURL
    /// The loop that runs this connection's I/O and callbacks.
    public let eventLoop: any EventLoop
    private let options: Options
    private let logger: Logger

    private var state = State.disconnected
    private var backoff: Duration
    /// Connect attempts begun; a backoff's timer connects only if none began since it was set,
    /// so `reconnectNow` does not leave a second timer chain behind it.
    private var connectAttempts = 0
    private var flushScheduled = false
    /// The ingest script call gathering this tick's events (`IngressStore`); on the loop only.
    var pendingIngest: IngestBatch?
    private var reportedUnreachable = false
    private var counters = Statistics()
    /// Callers waiting for their writes to reach the replicas (`waitForReplicas`).
    var replicaWaits = ReplicaWaitQueue()

    /// Creates the connection and starts connecting on `eventLoop`.
    public convenience init(url: RedisURL, eventLoop: any EventLoop, options: Options = Options(), logger: Logger) {
        self.init(url: url, eventLoop: eventLoop, options: options, logger: logger, closed: false)
    }

    /// `closed`: born closed, for `RedisLoopConnections` after its `close()`.
    init(url: RedisURL, eventLoop: any EventLoop, options: Options, logger: Logger, closed: Bool) {
        self.url = url
        self.eventLoop = eventLoop
        self.options = options
        self.logger = logger
        self.backoff = options.reconnectBackoff
        if closed {
            state = .closed
            return
        }
        eventLoop.execute { [self] in
            if case .disconnected = state { connect() }
        }
    }

    // MARK: - Commands (on the event loop)

    /// Sends one command; `completion` runs on `eventLoop`, in the order the commands were sent,
    /// and never before `send` returns. Must be called on `eventLoop`.
    public func send(_ arguments: [RedisArgument], completion: @escaping Completion) {
        send(RedisCommand(arguments), completion: completion)
    }

    private func send(_ command: RedisCommand, completion: @escaping Completion) {
        sendRaw(command) { [self] result in
            if case .success(let reply) = result, reply.isMovedSlot { slotMoved() }
            completion(result.flatMap { reply in
                if case .error(let message) = reply { return .failure(.server(message)) }
                return .success(reply)
            })
        }
    }

    /// Runs a Lua script with `EVALSHA`, falling back to `EVAL` when the server does not have it
    /// cached (after a restart or `SCRIPT FLUSH`), as `RedisClient.run` does. Must be called on
    /// `eventLoop`; `completion` runs there.
    public func run(_ script: RedisScript, keys: [RedisArgument], args: [RedisArgument], completion: @escaping Completion) {
        evaluate(script, keyCount: keys.count, arguments: keys + args, encoded: nil, completion: completion)
    }

    /// `run(_:keys:args:completion:)` with the keys and then the arguments already encoded, in
    /// that order, `keyCount` of them keys: for a caller that runs a script per request (the
    /// edge's ingest), one buffer instead of an array per argument.
    public func run(_ script: RedisScript, keyCount: Int, arguments: RESPArguments, completion: @escaping Completion) {
        evaluate(script, keyCount: keyCount, arguments: [], encoded: arguments, completion: completion)
    }

    /// `EVALSHA sha keyCount arguments… encoded…`, and on NOSCRIPT the same with `EVAL source`.
    private func evaluate(
        _ script: RedisScript, keyCount: Int, arguments: [RedisArgument], encoded: RESPArguments?, completion: @escaping Completion
    ) {
        send(.script(script, cached: true, keyCount: keyCount, arguments: arguments, encoded: encoded)) { [self] result in
            if case .failure(let error) = result, error.isNoScript {
                send(.script(script, cached: false, keyCount: keyCount, arguments: arguments, encoded: encoded), completion: completion)
            } else {
                completion(result)
            }
        }
    }

    /// Counters since the connection was created. Must be read on `eventLoop`.
    public var statistics: Statistics {
        eventLoop.preconditionInEventLoop()
        return counters
    }

    // MARK: - From any thread

    /// `send(_:completion:)` for callers off the loop (tests, tools).
    ///
    /// - Throws: `RedisError`: a connection problem, or `.server` for an error reply.
    public func send(_ arguments: [RedisArgument]) async throws(RedisError) -> RedisReply {
        try await withCheckedContinuation { continuation in
            eventLoop.execute { [self] in
                send(arguments) { continuation.resume(returning: $0) }
            }
        }.get()
    }

    /// `run(_:keys:args:completion:)` for callers off the loop.
    public func run(_ script: RedisScript, keys: [RedisArgument], args: [RedisArgument]) async throws(RedisError) -> RedisReply {
        try await withCheckedContinuation { continuation in
            eventLoop.execute { [self] in
                run(script, keys: keys, args: args) { continuation.resume(returning: $0) }
            }
        }.get()
    }

    /// Closes the connection: waiting commands, and every later one, fail with `.clientShutdown`.
    /// Idempotent; returns once the socket is closed.
    public func close() async {
        let closed: EventLoopFuture<Void> = eventLoop.flatSubmit { [self] in
            let previous = state
            state = .closed
            switch previous {
            case .connecting(let waiting):
                for command in waiting { command.completion(.failure(.shutdown(url))) }
            case .connected(let channel, let handler, _):
                handler.fail(.shutdown(url))
                return channel.closeFuture
            case .disconnected, .backingOff, .closed:
                break
            }
            return eventLoop.makeSucceededVoidFuture()
        }
        try? await closed.get()
    }

    // MARK: - Internals

    private func sendRaw(_ arguments: [RedisArgument], completion: @escaping RedisPipelineHandler.Completion) {
        sendRaw(RedisCommand(arguments), completion: completion)
    }

    private func sendRaw(_ command: RedisCommand, completion: @escaping RedisPipelineHandler.Completion) {
        eventLoop.preconditionInEventLoop()
        switch state {
        case .connected(_, let handler, _):
            guard handler.send(command, completion: completion) else {
                return failSoon(completion, handler.closeReason ?? .shutdown(url))
            }
            counters.commands += 1
            scheduleFlush()
        case .connecting(var waiting):
            state = .disconnected  // so appending does not copy the array
            waiting.append((command, completion))
            state = .connecting(waiting: waiting)
        case .disconnected:
            connect()
            sendRaw(command, completion: completion)
        case .backingOff(let error):
            failSoon(completion, error)
        case .closed:
            failSoon(completion, .shutdown(url))
        }
    }

    /// Failures found inside `send` are reported on a later tick, keeping the promise that a
    /// completion never runs before `send` returns (callers need not be reentrant).
    private func failSoon(_ completion: @escaping RedisPipelineHandler.Completion, _ error: RedisError) {
        eventLoop.assumeIsolated().execute { completion(.failure(error)) }
    }

    /// One flush at the end of this tick for everything written in it.
    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            if case .connected(let channel, _, _) = state {
                counters.flushes += 1
                channel.flush()
            }
        }
    }

    private func connect() {
        connectAttempts &+= 1
        counters.connectAttempts += 1
        state = .connecting(waiting: [])
        let url = url
        guard var bootstrap = ClientBootstrap(validatingGroup: eventLoop) else {
            return connectFailed(
                RedisError(kind: .unreachable, message: "cannot connect to Redis at \(url): the event loop is not a SwiftNIO socket loop"))
        }
        let commandTimeout = options.commandTimeout
        bootstrap = bootstrap.connectTimeout(TimeAmount(options.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        RedisReplyDecoder(url: url), RESPCommandEncoder(), RedisPipelineHandler(url: url, commandTimeout: commandTimeout),
                    ])
                }
            }
        let tcp = bootstrap.channelOption(.socketOption(.tcp_nodelay), value: 1).channelOption(.socketOption(.so_keepalive), value: 1)
        let connected: EventLoopFuture<any Channel>
        switch url.endpoint {
        case .tcp(let host, let port):
            connected = tcp.connect(host: host, port: port)
        case .unix(let path):
            connected = bootstrap.connect(unixDomainSocketPath: path)
        case .cluster:
            // Which node serves the slot is asked with blocking hiredis calls, on a thread of
            // their own; the connect goes on from the event loop once it is known.
            let owner = eventLoop.makePromise(of: RedisURL.ClusterNode.self)
            let timeout = options.connectTimeout
            let resolving = Thread {
                owner.completeWith(ClusterResolver.owner(for: url, timeout: timeout).mapError { $0 as any Error })
            }
            resolving.name = "sluice-redis-cluster"
            resolving.start()
            connected = owner.futureResult.assumeIsolated().flatMap { node in
                tcp.connect(host: node.host, port: node.port)
            }.nonisolated()
        }
        connected.hop(to: eventLoop).assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let channel): channelConnected(channel)
            case .failure(let error as RedisError):
                connectFailed(error)
            case .failure(let error):
                connectFailed(
                    RedisError(
                        kind: .unreachable,
                        message: "cannot connect to Redis at \(url): \(Self.reason(error)); check that redis-server is running and the URL is right"))
            }
        }
    }

    /// The socket error behind NIO's connect error, without its wrapper types.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.first { return reason(failure.error) }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve the host name: \(dns)" }
        }
        // The system's words ("Connection refused"), not NIO's description of where it noticed
        // ("connection reset (error set): Connection refused) (errno: 111)").
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return "\(error)"
    }

    private func channelConnected(_ channel: any Channel) {
        guard case .connecting(let waiting) = state,
            let handler = try? channel.pipeline.syncOperations.handler(type: RedisPipelineHandler.self)
        else {
            // Closed while connecting.
            channel.close(promise: nil)
            return
        }
        counters.connects += 1
        state = .connected(channel, handler, ready: false)
        channel.closeFuture.assumeIsolated().whenComplete { [self] _ in channelClosed(channel, handler: handler) }

        // AUTH and SELECT go first; the commands that waited follow in the same flush.
        for (what, command) in url.setupCommands {
            sendRaw(command) { [self] result in
                let failure: String? = switch result {
                case .success(let reply): reply.errorMessage
                case .failure(let error): error.message
                }
                if let failure {
                    handler.fail(
                        RedisError(kind: .unreachable, message: "connected to Redis at \(url) but could not \(what): \(failure)"))
                }
            }
        }
        // Ready once the setup replies are in; a ping-free check: the next reply is theirs.
        sendRaw(["ECHO", "sluice"]) { [self] result in
            guard case .success = result, case .connected(let current, let handler, false) = state, current === channel else { return }
            state = .connected(channel, handler, ready: true)
            backoff = options.reconnectBackoff
            if reportedUnreachable {
                reportedUnreachable = false
                logger.info("Reconnected to Redis", metadata: ["redis": "\(url)"])
            }
        }
        for command in waiting {
            sendRaw(command.command, completion: command.completion)
        }
    }

    private func connectFailed(_ error: RedisError) {
        guard case .connecting(let waiting) = state else { return }
        if !reportedUnreachable {
            reportedUnreachable = true
            logger.warning("Cannot connect to Redis", metadata: ["redis": "\(url)", "error": "\(error.message)"])
        }
        enterBackoff(error)
        for command in waiting { command.completion(.failure(error)) }
    }

    /// Tries to connect now if the connection is waiting out a backoff after failed connects
    /// (from any thread). For a caller that has just seen Redis answer on another connection: the
    /// backoff (up to `maximumBackoff`) would otherwise go on failing commands with the last connect's
    /// error after Redis is back.
    public func reconnectNow() {
        eventLoop.execute { [self] in
            if case .backingOff = state { connect() }
        }
    }

    /// Commands fail at once with `error` until the next connect attempt, after `backoff`.
    private func enterBackoff(_ error: RedisError) {
        state = .backingOff(error)
        let delay = backoff
        backoff = min(backoff * 2, options.maximumBackoff)
        let attempts = connectAttempts
        eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { [self] in
            if case .backingOff = state, connectAttempts == attempts { connect() }
        }
    }

    /// A Redis Cluster moved the slot (failover, resharding): reconnect, which asks the cluster
    /// where the slot is now. Commands already sent on this connection fail as a lost connection.
    private func slotMoved() {
        guard case .connected(let channel, _, _) = state else { return }
        logger.info("Redis Cluster moved Sluice's slot; reconnecting", metadata: ["redis": "\(url)"])
        channel.close(promise: nil)
    }

    private func channelClosed(_ channel: any Channel, handler: RedisPipelineHandler) {
        guard case .connected(let current, _, let ready) = state, current === channel else { return }
        let reason = handler.closeReason ?? RedisError(kind: .connectionLost, message: "lost the connection to Redis at \(url)")
        if !reportedUnreachable {
            reportedUnreachable = true
            logger.warning("Redis connection lost; reconnecting", metadata: ["redis": "\(url)", "error": "\(reason.message)"])
        }
        if ready {
            // It worked until now: try again at once, commands wait for the new connection.
            connect()
        } else {
            // It never got through AUTH/SELECT: retrying at once would only spin.
            enterBackoff(reason)
        }
    }
}
