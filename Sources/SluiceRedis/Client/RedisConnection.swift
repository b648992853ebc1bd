internal import CHiredis
import Foundation
import Logging
import NIOCore

/// One hiredis connection driven by its own thread, with group commit.
///
/// hiredis calls block, so they never run on Swift's cooperative pool: callers enqueue a job and
/// suspend on a continuation; the thread takes every job queued since its last round trip,
/// appends all their commands, encoded as RESP by the callers, to the output buffer
/// (`redisAppendFormattedCommand`), then reads the replies in order and resumes each caller.
/// Many concurrent callers thus share one round trip.
///
/// On a broken connection the in-flight batch fails with a connection error, the context is freed
/// and the next command reconnects; a failed connect is retried at most once per
/// `reconnectBackoff`, and commands in between fail at once with the last connect error, so callers
/// never wait on a Redis that is down.
///
/// `@unchecked Sendable` is safe because the mutable state is split in two: `queue`,
/// `isShutdown` and `connectedFD` are only touched with `condition` locked; `context`,
/// `lastConnectAttempt` and `lastConnectError` are only touched by the connection's own thread
/// (and by `deinit`, which runs after that thread has exited, since the thread holds `self`).
final class RedisConnection: @unchecked Sendable {
    struct Options: Sendable {
        var connectTimeout: Duration
        var commandTimeout: Duration?
        var reconnectBackoff: Duration
    }

    /// A command as one RESP array (`*N`, then each argument as `$len` and its bytes), ready for
    /// `redisAppendFormattedCommand`: encoded here, on the caller's thread, by the encoder the
    /// event-loop connections use, so the connection thread only copies it into hiredis's buffer.
    struct EncodedCommand: Sendable {
        var bytes: ByteBuffer

        init(_ arguments: [RedisArgument]) {
            self.init(RedisCommand(arguments))
        }

        init(_ command: RedisCommand) {
            bytes = ByteBuffer()
            RESPCommandEncoder.encode(command, into: &bytes)
        }
    }

    /// A batch of commands and who to tell: runs on the connection thread, so it must hand off
    /// quickly (resume a continuation, or schedule on an event loop).
    private struct Job {
        let commands: [EncodedCommand]
        let finish: @Sendable (Result<[RedisReply], RedisError>) -> Void
    }

    let url: RedisURL
    private let options: Options
    private let logger: Logger

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Job] = []
    private var isShutdown = false
    private var connectedFD: Int32 = -1
    private var counters = RedisClient.Statistics()

    // Owned by the connection thread.
    private var context: UnsafeMutablePointer<redisContext>?
    private var lastConnectAttempt: ContinuousClock.Instant?
    private var lastConnectError: RedisError?

    init(url: RedisURL, options: Options, logger: Logger, name: String) {
        self.url = url
        self.options = options
        self.logger = logger
        let thread = Thread { [self] in
            self.runLoop()
        }
        thread.name = name
        thread.start()
    }

    deinit {
        if let context {
            redisFree(context)
        }
    }

    /// Runs `commands` in order on this connection and returns one reply per command.
    func execute(_ commands: [[RedisArgument]]) async -> Result<[RedisReply], RedisError> {
        guard !commands.isEmpty else { return .success([]) }
        let encoded = commands.map(EncodedCommand.init)
        return await withCheckedContinuation { continuation in
            enqueue(Job(commands: encoded) { continuation.resume(returning: $0) })
        }
    }

    /// Runs `commands` in order and calls `completion` with one reply per command, on the
    /// connection's thread: for callers on an event loop, which must not suspend a task per command.
    func submit(_ commands: [[RedisArgument]], completion: @escaping @Sendable (Result<[RedisReply], RedisError>) -> Void) {
        guard !commands.isEmpty else { return completion(.success([])) }
        enqueue(Job(commands: commands.map(EncodedCommand.init), finish: completion))
    }

    /// `submit(_:completion:)` for one command whose arguments may be partly encoded already.
    func submit(_ command: RedisCommand, completion: @escaping @Sendable (Result<[RedisReply], RedisError>) -> Void) {
        enqueue(Job(commands: [EncodedCommand(command)], finish: completion))
    }

    /// Batches taken and commands in them so far.
    var statistics: RedisClient.Statistics {
        condition.lock()
        defer { condition.unlock() }
        return counters
    }

    /// Stops the thread: queued commands fail with `.clientShutdown`, and a command blocked in a
    /// read (such as `XREADGROUP BLOCK`) is interrupted by shutting the socket down. Idempotent.
    func shutdown() {
        condition.lock()
        defer { condition.unlock() }
        guard !isShutdown else { return }
        isShutdown = true
        if connectedFD >= 0 {
            // Only the socket is shut, not closed: the thread still owns the descriptor and frees it.
            _ = Foundation.shutdown(connectedFD, Int32(SHUT_RDWR))
        }
        condition.broadcast()
    }

    private func enqueue(_ job: Job) {
        condition.lock()
        if isShutdown {
            condition.unlock()
            job.finish(.failure(.shutdown(url)))
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    // MARK: - The connection thread

    private func runLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && !isShutdown {
                condition.wait()
            }
            let batch = queue
            queue = []
            let stopping = isShutdown
            if !stopping {
                counters.roundTrips += 1
                counters.commands += batch.reduce(0) { $0 + $1.commands.count }
            }
            condition.unlock()

            if stopping {
                for job in batch { job.finish(.failure(.shutdown(url))) }
                break
            }
            process(batch)
        }
        disconnect()
    }

    private func process(_ batch: [Job]) {
        let context: UnsafeMutablePointer<redisContext>
        switch connectIfNeeded() {
        case .success(let connected): context = connected
        case .failure(let error):
            for job in batch { job.finish(.failure(error)) }
            return
        }

        for job in batch {
            for command in job.commands where !Self.append(command, to: context) {
                fail(batch[...], with: ioError(context, phase: "sending a command"))
                return
            }
        }

        var moved = false
        for (index, job) in batch.enumerated() {
            var replies: [RedisReply] = []
            replies.reserveCapacity(job.commands.count)
            for _ in job.commands {
                var raw: UnsafeMutableRawPointer?
                guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                    fail(batch[index...], with: ioError(context, phase: "waiting for a reply"))
                    return
                }
                let reply = Self.convert(UnsafePointer(raw.assumingMemoryBound(to: redisReply.self)))
                freeReplyObject(raw)
                moved = moved || reply.isMovedSlot
                replies.append(reply)
            }
            job.finish(.success(replies))
        }
        if moved {
            // A Redis Cluster moved the slot (failover, resharding): the next command connects
            // again, and so asks the cluster where the slot is now.
            logger.info("Redis Cluster moved Sluice's slot; reconnecting", metadata: ["redis": "\(url)"])
            disconnect()
        }
    }

    private func fail(_ jobs: ArraySlice<Job>, with error: RedisError) {
        logger.warning("Redis connection failed", metadata: ["redis": "\(url)", "error": "\(error.message)"])
        disconnect()
        for job in jobs { job.finish(.failure(error)) }
    }

    private static func append(_ command: EncodedCommand, to context: UnsafeMutablePointer<redisContext>) -> Bool {
        command.bytes.withUnsafeReadableBytes { buffer in
            // Never empty: every command starts with `*N\r\n`.
            let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            return redisAppendFormattedCommand(context, base, buffer.count) == REDIS_OK
        }
    }

    private func disconnect() {
        guard let context else { return }
        condition.lock()
        connectedFD = -1
        condition.unlock()
        redisFree(context)
        self.context = nil
    }
}

extension RedisConnection {
    fileprivate func connectIfNeeded() -> Result<UnsafeMutablePointer<redisContext>, RedisError> {
        if let context { return .success(context) }
        let now = ContinuousClock.now
        if let lastConnectError, let lastConnectAttempt, now < lastConnectAttempt + options.reconnectBackoff {
            return .failure(lastConnectError)
        }
        lastConnectAttempt = now
        switch connect() {
        case .success(let context):
            if lastConnectError != nil {
                logger.info("Reconnected to Redis", metadata: ["redis": "\(url)"])
            }
            lastConnectError = nil
            self.context = context
            condition.lock()
            connectedFD = context.pointee.fd
            if isShutdown {
                // shutdown() ran while we were connecting: a blocking command must not wait forever.
                _ = Foundation.shutdown(connectedFD, Int32(SHUT_RDWR))
            }
            condition.unlock()
            return .success(context)
        case .failure(let error):
            if lastConnectError == nil {
                logger.warning("Cannot connect to Redis", metadata: ["redis": "\(url)", "error": "\(error.message)"])
            }
            lastConnectError = error
            return .failure(error)
        }
    }

    /// The read buffer a connection keeps between replies (hiredis's `maxbuf`).
    static let readBufferKept = 4 << 20

    private func connect() -> Result<UnsafeMutablePointer<redisContext>, RedisError> {
        let timeout = Self.timeval(options.connectTimeout)
        let made: UnsafeMutablePointer<redisContext>?
        switch url.endpoint {
        case .tcp(let host, let port):
            made = redisConnectWithTimeout(host, Int32(port), timeout)
        case .unix(let path):
            made = redisConnectUnixWithTimeout(path, timeout)
        case .cluster:
            switch ClusterResolver.owner(for: url, timeout: options.connectTimeout) {
            case .success(let owner): made = redisConnectWithTimeout(owner.host, Int32(owner.port), timeout)
            case .failure(let error): return .failure(error)
            }
        }
        guard let context = made else {
            return .failure(RedisError(kind: .unreachable, message: "cannot connect to Redis at \(url): out of memory"))
        }
        if context.pointee.err != 0 {
            let reason = Self.errorString(context)
            redisFree(context)
            return .failure(
                RedisError(
                    kind: .unreachable,
                    message: "cannot connect to Redis at \(url): \(reason); check that redis-server is running and the URL is right"
                )
            )
        }
        if case .unix = url.endpoint {} else {
            _ = redisEnableKeepAlive(context)
        }
        if let commandTimeout = options.commandTimeout {
            _ = redisSetTimeout(context, Self.timeval(commandTimeout))
        }
        // hiredis frees its read buffer whenever it empties above 16 KiB, so every batch of
        // deliveries (hundreds of KiB) grew a fresh one: a worker profile showed 2% of its CPU
        // in malloc_consolidate under sdsMakeRoomFor. Kept up to 4 MiB per connection instead.
        context.pointee.reader.pointee.maxbuf = Self.readBufferKept

        for step in url.setupCommands {
            if case .failure(let failure) = Self.roundTrip(step.command, on: context) {
                redisFree(context)
                return .failure(
                    RedisError(kind: .unreachable, message: "connected to Redis at \(url) but could not \(step.what): \(failure)")
                )
            }
        }
        return .success(context)
    }

    /// Sends one command on `context` and waits for its reply (blocking: the connection's own
    /// thread, or another thread of its own). Fails with hiredis's error or the error reply's text.
    static func roundTrip(_ command: [RedisArgument], on context: UnsafeMutablePointer<redisContext>) -> Result<RedisReply, RoundTripFailure> {
        var raw: UnsafeMutableRawPointer?
        guard append(EncodedCommand(command), to: context), redisGetReply(context, &raw) == REDIS_OK, let raw else {
            return .failure(RoundTripFailure(text: errorString(context)))
        }
        let reply = convert(UnsafePointer(raw.assumingMemoryBound(to: redisReply.self)))
        freeReplyObject(raw)
        if let message = reply.errorMessage { return .failure(RoundTripFailure(text: message)) }
        return .success(reply)
    }

    /// Why a ``roundTrip(_:on:)`` failed, as text for a message.
    struct RoundTripFailure: Error, CustomStringConvertible {
        var text: String
        var description: String { text }
    }

    fileprivate func ioError(_ context: UnsafeMutablePointer<redisContext>, phase: String) -> RedisError {
        let reason = Self.errorString(context)
        let code = context.pointee.err
        if code == REDIS_ERR_PROTOCOL {
            return RedisError(kind: .protocolViolation, message: "Redis at \(url) sent an invalid reply: \(reason)")
        }
        if code == REDIS_ERR_IO && (reason.contains("temporarily unavailable") || reason.contains("timed out")) {
            let limit = options.commandTimeout.map { " within \($0)" } ?? ""
            return RedisError(
                kind: .timeout,
                message: "no reply from Redis at \(url)\(limit) while \(phase); the command may or may not have run"
            )
        }
        return RedisError(
            kind: .connectionLost,
            message: "lost the connection to Redis at \(url) while \(phase): \(reason); the command may or may not have run"
        )
    }

    /// Copies a hiredis reply tree into a `RedisReply` (also used by `RedisReplyDecoder`).
    static func convert(_ reply: UnsafePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            return .string(bytes(value.str, value.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(value.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                if let element = value.element[index] {
                    elements.append(convert(UnsafePointer(element)))
                } else {
                    elements.append(.null)
                }
            }
            return .array(elements)
        default:
            return .error("unsupported reply type \(value.type)")
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "unknown error" : String(decoding: bytes, as: UTF8.self)
        }
    }

    static func timeval(_ duration: Duration) -> Foundation.timeval {
        let (seconds, attoseconds) = duration.components
        return Foundation.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
