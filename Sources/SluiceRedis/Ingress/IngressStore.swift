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
        let (keys, args) = scriptArguments(event, dedupeWindow: dedupeWindow, logRetention: logRetention, replicated: false)
        return try outcome(of: await client.run(IngestScript.script, keys: keys, args: args)).get()
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

    /// The script's keys and arguments as `RedisClient` takes them.
    private func scriptArguments(
        _ event: IngressEvent, dedupeWindow: Duration, logRetention: Duration, replicated: Bool
    ) -> (keys: [RedisArgument], args: [RedisArgument]) {
        var all: [RedisArgument] = []
        all.reserveCapacity(12)
        writeArguments(event, dedupeWindow: dedupeWindow, logRetention: logRetention, replicated: replicated, into: &all)
        return (Array(all[..<2]), Array(all[2...]))
    }

    /// The same, encoded into one buffer (`RESPArguments`): the edge's path, once per call.
    private func encodedArguments(_ event: IngressEvent, dedupeWindow: Duration, logRetention: Duration, replicated: Bool) -> RESPArguments {
        var arguments = RESPArguments(
            capacity: 256 + 2 * event.webhookID.utf8.count + 2 * event.source.utf8.count + (event.channel?.utf8.count ?? 0)
                + event.eventType.utf8.count + event.body.count)
        writeArguments(event, dedupeWindow: dedupeWindow, logRetention: logRetention, replicated: replicated, into: &arguments)
        return arguments
    }

    /// The ingest script's two keys, then its ten arguments (see `IngestScript`).
    private func writeArguments(
        _ event: IngressEvent, dedupeWindow: Duration, logRetention: Duration, replicated: Bool, into sink: inout some ScriptArgumentSink
    ) {
        // PX needs a positive value; a zero window still dedupes concurrent retries for 1 ms.
        let windowMillis = dedupeWindow.expiryMillis
        let keepMillis = max(windowMillis, logRetention.expiryMillis)
        sink.append(keyspace.eventLog(source: event.source, webhookID: event.webhookID))
        sink.append(keyspace.ingress)
        sink.append(windowMillis)
        sink.append(event.webhookID)
        sink.append(event.source)
        sink.append(event.channel ?? "")
        sink.append(event.eventType)
        sink.append(event.webhookTimestamp)
        sink.append(event.receivedAtMillis)
        sink.append(event.body)
        sink.append(keepMillis)
        sink.append(replicated ? "1" : "0")
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
