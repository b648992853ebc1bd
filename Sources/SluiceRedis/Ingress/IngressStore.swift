public import SluiceCore

/// Makes verified events durable: dedupe by webhook-id and append to the ingress stream in one
/// atomic script (see `IngestScript`).
///
/// Calls from many concurrent requests share round trips: the client's group commit, or one
/// flush per event-loop tick on a `RedisLoopConnection`.
public struct IngressStore: Sendable {
    /// The client the script runs on.
    public let client: RedisClient
    /// The keys it writes.
    public let keyspace: Keyspace

    /// Creates a store writing under `keyspace` through `client`.
    public init(client: RedisClient, keyspace: Keyspace) {
        self.client = client
        self.keyspace = keyspace
    }

    /// Records `event` unless its webhook-id from the same source was accepted within
    /// `dedupeWindow`. The event's key (dedupe marker and log) is kept for the longer of the window
    /// and `logRetention` (`worker.attempt_log_retention`).
    ///
    /// Returns only once the event is stored (or known to be a duplicate).
    ///
    /// - Throws: `RedisError` when Redis is unreachable or refuses the write (`isUnavailable`:
    ///   answer 503); nothing is half-written in that case.
    public func accept(
        _ event: IngressEvent, dedupeWindow: Duration, logRetention: Duration = WorkerConfig().attemptLogRetention
    ) async throws(RedisError) -> IngestOutcome {
        let (keys, args) = scriptArguments(event, dedupeWindow: dedupeWindow, logRetention: logRetention)
        return try outcome(of: await client.run(IngestScript.script, keys: keys, args: args)).get()
    }

    /// `accept(_:dedupeWindow:logRetention:)` for callers on a SwiftNIO event loop (the edge), through the
    /// connection that lives on that loop: no task and no thread hand-off either way. Must be
    /// called on `connection.eventLoop`; `completion` runs there once, never before this returns.
    public func accept(
        _ event: IngressEvent, dedupeWindow: Duration, logRetention: Duration, on connection: RedisLoopConnection,
        completion: @escaping (Result<IngestOutcome, RedisError>) -> Void
    ) {
        let (keys, args) = scriptArguments(event, dedupeWindow: dedupeWindow, logRetention: logRetention)
        connection.run(IngestScript.script, keys: keys, args: args) { [self] reply in
            completion(reply.flatMap(outcome(of:)))
        }
    }

    private func scriptArguments(
        _ event: IngressEvent, dedupeWindow: Duration, logRetention: Duration
    ) -> (keys: [RedisArgument], args: [RedisArgument]) {
        // PX needs a positive value; a zero window still dedupes concurrent retries for 1 ms.
        let windowMillis = dedupeWindow.expiryMillis
        let keepMillis = max(windowMillis, logRetention.expiryMillis)
        return (
            [
                RedisArgument(keyspace.eventLog(source: event.source, webhookID: event.webhookID)),
                RedisArgument(keyspace.ingress),
            ],
            [
                RedisArgument(windowMillis),
                RedisArgument(event.webhookID),
                RedisArgument(event.source),
                RedisArgument(event.channel ?? ""),
                RedisArgument(event.eventType),
                RedisArgument(event.webhookTimestamp),
                RedisArgument(event.receivedAtMillis),
                RedisArgument(event.body),
                RedisArgument(keepMillis),
            ]
        )
    }

    private func outcome(of reply: RedisReply) -> Result<IngestOutcome, RedisError> {
        switch reply {
        case .null:
            return .success(.duplicate)
        case .string, .status:
            return .success(.accepted(streamID: reply.string ?? ""))
        default:
            return .failure(
                RedisError(
                    kind: .protocolViolation,
                    message: "the ingest script on Redis at \(client.url) returned \(reply) instead of a stream id"
                ))
        }
    }
}
