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
        let arguments = encodedArguments(event, dedupeWindow: dedupeWindow, logRetention: logRetention, replicated: false)
        return try outcome(of: await client.run(IngestScript.script, keyCount: 2, arguments: arguments)).get()
    }

    /// `accept(_:dedupeWindow:logRetention:)` for callers on a SwiftNIO event loop (the edge), through the
    /// connection that lives on that loop: no task and no thread hand-off either way. Must be
    /// called on `connection.eventLoop`; `completion` runs there once, never before this returns.
    ///
    /// With `replication` (`durability: replicated`), the outcome — accepted or duplicate — is
    /// reported only once `WAIT` confirms it reached that many replicas; fewer within the timeout
    /// fails with `.notReplicated` (the event is stored on the master, and the sender's retry is
    /// answered once it has reached them). Only this path offers it: `WAIT` speaks for one
    /// connection's writes, and `RedisClient` spreads commands over several.
    public func accept(
        _ event: IngressEvent, dedupeWindow: Duration, logRetention: Duration, replication: RedisReplication? = nil,
        on connection: RedisLoopConnection, completion: @escaping (Result<IngestOutcome, RedisError>) -> Void
    ) {
        let arguments = encodedArguments(event, dedupeWindow: dedupeWindow, logRetention: logRetention, replicated: replication != nil)
        connection.run(IngestScript.script, keyCount: 2, arguments: arguments) { [self] reply in
            let result = reply.flatMap(outcome(of:))
            guard let replication, case .success(let outcome) = result else { return completion(result) }
            connection.waitForReplicas(replication.replicas, timeout: replication.timeout) { counted in
                completion(counted.flatMap { count in
                    guard count >= replication.replicas else {
                        return .failure(RedisError(
                            kind: .notReplicated,
                            message: "the event reached \(count) of \(replication.replicas) replica\(replication.replicas == 1 ? "" : "s") of Redis at \(connection.url) within \(replication.timeout)"))
                    }
                    return .success(outcome)
                })
            }
        }
    }

    /// The ingest script's two keys, then its ten arguments (see `IngestScript`), encoded into one
    /// buffer: the edge writes one per webhook call.
    private func encodedArguments(_ event: IngressEvent, dedupeWindow: Duration, logRetention: Duration, replicated: Bool) -> RESPArguments {
        var arguments = RESPArguments(
            capacity: 256 + 2 * event.webhookID.utf8.count + 2 * event.source.utf8.count + (event.channel?.utf8.count ?? 0)
                + event.eventType.utf8.count + event.body.count)
        // PX needs a positive value; a zero window still dedupes concurrent retries for 1 ms.
        let windowMillis = dedupeWindow.expiryMillis
        let keepMillis = max(windowMillis, logRetention.expiryMillis)
        arguments.append(keyspace.eventLog(source: event.source, webhookID: event.webhookID))
        arguments.append(keyspace.ingress)
        arguments.append(windowMillis)
        arguments.append(event.webhookID)
        arguments.append(event.source)
        arguments.append(event.channel ?? "")
        arguments.append(event.eventType)
        arguments.append(event.webhookTimestamp)
        arguments.append(event.receivedAtMillis)
        arguments.append(event.body)
        arguments.append(keepMillis)
        arguments.append(replicated ? "1" : "0")
        return arguments
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
