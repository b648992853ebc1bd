public import Logging
import Synchronization

/// The entry point to Redis: a small pool of pipelined connections, each on its own thread.
///
/// Concurrent callers share round trips (group commit), so one connection carries a busy edge;
/// more connections spread the reply parsing over more threads.
///
/// A blocking command (`XREADGROUP … BLOCK`, `BLPOP`) holds its connection, and every command
/// queued behind it, until it returns: issue blocking commands on a separate `RedisClient`
/// whose `commandTimeout` is longer than the block time (or nil).
public final class RedisClient: Sendable {
    /// The server this client talks to (`description` hides the password).
    public let url: RedisURL
    /// Where connection loss and recovery go; also what the stores built on this client log to.
    public let logger: Logger
    private let connections: [RedisConnection]
    private let nextConnection = Mutex(0)

    /// Creates a client; connections are made lazily on the first command, so this never fails.
    ///
    /// - Parameters:
    ///   - url: where Redis is.
    ///   - connectionCount: how many connections (and threads) to use, at least 1.
    ///   - logger: receives connection loss and recovery, never a password.
    ///   - connectTimeout: the longest a connect may take.
    ///   - commandTimeout: the longest to wait for a reply (read/write timeout); nil waits forever.
    ///   - reconnectBackoff: after a failed connect, commands fail at once for this long before
    ///     the next connect is tried.
    public init(
        url: RedisURL,
        connectionCount: Int = 1,
        logger: Logger,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration? = .seconds(10),
        reconnectBackoff: Duration = .milliseconds(250)
    ) {
        self.url = url
        self.logger = logger
        let options = RedisConnection.Options(
            connectTimeout: connectTimeout,
            commandTimeout: commandTimeout,
            reconnectBackoff: reconnectBackoff
        )
        self.connections = (0..<max(1, connectionCount)).map { index in
            RedisConnection(url: url, options: options, logger: logger, name: "sluice-redis-\(index)")
        }
    }

    deinit {
        shutdown()
    }

    /// Sends one command and returns its reply.
    ///
    /// - Throws: `RedisError`: a connection problem, or `.server` when Redis answers with an error reply.
    public func send(_ arguments: [RedisArgument]) async throws(RedisError) -> RedisReply {
        try Self.single(await connection().execute([arguments]), url: url).get()
    }

    /// Sends several commands in one round trip, in order, on one connection, and returns one reply
    /// per command. Error replies come back as `.error` elements, not thrown; the commands are not a
    /// transaction (wrap them in MULTI/EXEC for that).
    ///
    /// - Throws: `RedisError` for connection problems only.
    public func pipeline(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RedisReply] {
        try await connection().execute(commands).get()
    }

    /// Runs a Lua script with `EVALSHA`, falling back to `EVAL` when the server does not have it
    /// cached yet (after a restart or `SCRIPT FLUSH`).
    ///
    /// - Throws: `RedisError`; a script error or a write refused inside the script is `.server`.
    public func run(
        _ script: RedisScript,
        keys: [RedisArgument],
        args: [RedisArgument]
    ) async throws(RedisError) -> RedisReply {
        try await withCheckedContinuation { continuation in
            run(script, keys: keys, args: args) { continuation.resume(returning: $0) }
        }.get()
    }

    /// `run(_:keys:args:)` with the keys and then the arguments already encoded, in one buffer:
    /// for a caller that sends many arguments per call (the router, a few dozen per delivery),
    /// which then builds no array per argument.
    public func run(_ script: RedisScript, keyCount: Int, arguments: RESPArguments) async throws(RedisError) -> RedisReply {
        try await withCheckedContinuation { continuation in
            evaluate(script, keyCount: keyCount, arguments: [], encoded: arguments) { continuation.resume(returning: $0) }
        }.get()
    }

    /// `run(_:keys:args:)` for callers that cannot suspend (SwiftNIO handlers): `completion` runs
    /// once, on the connection's thread, and must hand the result off rather than do work there.
    public func run(
        _ script: RedisScript,
        keys: [RedisArgument],
        args: [RedisArgument],
        completion: @escaping @Sendable (Result<RedisReply, RedisError>) -> Void
    ) {
        evaluate(script, keyCount: keys.count, arguments: keys + args, encoded: nil, completion: completion)
    }

    /// `EVALSHA sha keyCount arguments… encoded…`; on NOSCRIPT, the same with `EVAL source`.
    private func evaluate(
        _ script: RedisScript, keyCount: Int, arguments: [RedisArgument], encoded: RESPArguments?,
        completion: @escaping @Sendable (Result<RedisReply, RedisError>) -> Void
    ) {
        let connection = connection()
        let url = url
        connection.submit(.script(script, cached: true, keyCount: keyCount, arguments: arguments, encoded: encoded)) { result in
            switch Self.single(result, url: url) {
            case .failure(let error) where error.isNoScript:
                connection.submit(.script(script, cached: false, keyCount: keyCount, arguments: arguments, encoded: encoded)) {
                    retried in
                    completion(Self.single(retried, url: url))
                }
            case let other:
                completion(other)
            }
        }
    }

    /// The one reply of a one-command batch, with an error reply turned into a thrown error.
    private static func single(_ result: Result<[RedisReply], RedisError>, url: RedisURL) -> Result<RedisReply, RedisError> {
        result.flatMap { replies in
            guard let reply = replies.first else {
                return .failure(RedisError(kind: .protocolViolation, message: "Redis at \(url) sent no reply"))
            }
            if case .error(let message) = reply { return .failure(RedisError.server(message)) }
            return .success(reply)
        }
    }

    /// Checks that Redis answers (for readiness probes).
    ///
    /// - Throws: `RedisError` when it cannot be reached or answers something other than PONG.
    public func ping() async throws(RedisError) {
        let reply = try await send(["PING"])
        guard reply.string == "PONG" else {
            throw RedisError(kind: .protocolViolation, message: "Redis at \(url) answered PING with \(reply)")
        }
    }

    /// How many commands this client sent in how many round trips: with many concurrent callers,
    /// `commands / roundTrips` shows how well group commit is batching.
    public struct Statistics: Sendable, Hashable {
        /// Batches written and read back (including batches that failed).
        public var roundTrips = 0
        /// Commands in those batches.
        public var commands = 0
    }

    /// Totals over all connections since the client was created.
    public var statistics: Statistics {
        connections.reduce(into: Statistics()) { total, connection in
            let counts = connection.statistics
            total.roundTrips += counts.roundTrips
            total.commands += counts.commands
        }
    }

    /// Stops the connection threads; commands still queued, and later ones, fail with
    /// `.clientShutdown`. Idempotent.
    public func shutdown() {
        for connection in connections {
            connection.shutdown()
        }
    }

    private func connection() -> RedisConnection {
        if connections.count == 1 { return connections[0] }
        let index = nextConnection.withLock { next in
            defer { next &+= 1 }
            return next
        }
        return connections[index % connections.count]
    }
}
