/// The one error type of SluiceRedis: a bad URL, a connection problem, an error reply from the
/// server, a protocol violation, or a `redis-server` that could not be started.
///
/// Messages name the Redis URL without its password and say what to check.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarsely; `message` has the details.
    public enum Kind: Sendable, Equatable {
        /// A Redis URL that does not parse.
        case invalidURL
        /// No connection could be made (refused, unknown host, connect timeout).
        case unreachable
        /// An established connection broke before the reply arrived; the command may or may not have run.
        case connectionLost
        /// No reply within the read/write timeout; the command may or may not have run.
        case timeout
        /// The client was shut down before the command could run.
        case clientShutdown
        /// The server answered with an error reply (`-ERR`, `-OOM`, `-NOGROUP`, …).
        case server
        /// The server sent something the client could not understand.
        case protocolViolation
        /// A local `redis-server` process could not be started or stopped.
        case launchFailed
        /// The write was applied, but `WAIT` did not see it reach the replicas required
        /// (`durability: replicated`) in time: a failover now could lose it.
        case notReplicated
    }

    /// What went wrong, coarsely.
    public let kind: Kind
    /// A message a user can act on; never contains a password.
    public let message: String

    /// Creates an error of `kind` with `message`.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Redis could not be reached or the connection broke: the edge answers 503 with `Retry-After`.
    public var isConnectionProblem: Bool {
        switch kind {
        case .unreachable, .connectionLost, .timeout, .clientShutdown: true
        default: false
        }
    }

    /// The command may have run all the same: it was sent, and its reply never came (it timed out,
    /// or the connection broke while it was on its way).
    public var outcomeUnknown: Bool { kind == .timeout || kind == .connectionLost }

    /// The server is reachable but refuses writes for now (out of memory, read-only replica,
    /// failing snapshots, still loading its data, busy script, fewer replicas than
    /// `min-replicas-to-write`).
    public var isWriteRefused: Bool {
        isOOM || isReadOnly || isMisconf || hasServerCode("LOADING") || isBusy || hasServerCode("MASTERDOWN") || hasServerCode("NOREPLICAS")
            || hasServerCode("TRYAGAIN") || hasServerCode("CLUSTERDOWN") || hasServerCode("MOVED") || hasServerCode("ASK")
    }

    /// Redis is unreachable or temporarily refusing writes: the caller should retry later (HTTP 503).
    public var isUnavailable: Bool { isConnectionProblem || isWriteRefused || kind == .notReplicated }

    /// The error code of a server error reply (its first word, e.g. `ERR`, `OOM`, `NOGROUP`), else nil.
    public var serverCode: String? {
        guard kind == .server else { return nil }
        let word = message.prefix { $0 != " " }
        return word.isEmpty ? nil : String(word)
    }

    /// `-NOGROUP`: the stream or its consumer group does not exist (recreate the group); also
    /// `-UNBLOCKED the stream key no longer exists`, what a blocked `XREADGROUP` gets when its
    /// stream is deleted (FLUSHALL) under it.
    public var isNoGroup: Bool { hasServerCode("NOGROUP") || (hasServerCode("UNBLOCKED") && message.contains("no longer exists")) }
    /// `-OOM`: Redis reached `maxmemory` and refuses writes.
    public var isOOM: Bool { hasServerCode("OOM") }
    /// `-READONLY`: the server is a replica.
    public var isReadOnly: Bool { hasServerCode("READONLY") }
    /// `-MISCONF`: Redis refuses writes because snapshots are failing.
    public var isMisconf: Bool { hasServerCode("MISCONF") }
    /// `-BUSY`: a script is running too long, or (XGROUP CREATE) the group already exists (`BUSYGROUP`).
    public var isBusy: Bool { hasServerCode("BUSY") }
    /// `-BUSYGROUP`: the consumer group already exists.
    public var isBusyGroup: Bool { hasServerCode("BUSYGROUP") }
    /// `-NOSCRIPT`: EVALSHA for a script the server does not have cached.
    public var isNoScript: Bool { hasServerCode("NOSCRIPT") }

    /// Whether this is a server error with `code`, either as the reply's first word or wrapped in a
    /// script error (older servers report `… -OOM command not allowed …` inside an `ERR`).
    public func hasServerCode(_ code: String) -> Bool {
        guard kind == .server else { return false }
        return serverCode == code || message.contains("-\(code) ")
    }
}

extension RedisError {
    static func server(_ message: String) -> RedisError {
        RedisError(kind: .server, message: message)
    }

    static func shutdown(_ url: RedisURL) -> RedisError {
        RedisError(kind: .clientShutdown, message: "Redis client for \(url) was shut down; the command did not run")
    }
}
