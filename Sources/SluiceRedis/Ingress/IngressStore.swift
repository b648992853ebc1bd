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
        var batch = IngestBatch(stream: keyspace.ingress, replication: nil, capacity: Self.capacity(for: event))
        append(event, dedupeWindow: dedupeWindow, logRetention: logRetention, to: &batch)
        let reply = try await client.run(IngestScript.script, keyCount: batch.keys.count, arguments: batch.arguments)
        return try outcomes(of: reply, count: 1).get()[0].get()
    }

    /// `accept(_:dedupeWindow:logRetention:)` for callers on a SwiftNIO event loop (the edge), through the
    /// connection that lives on that loop: no task and no thread hand-off either way. Must be
    /// called on `connection.eventLoop`; `completion` runs there once, never before this returns.
    ///
    /// Every event accepted on one connection in one tick of its loop goes to Redis in one script
    /// call at the end of the tick (events for another partition's stream, or with other
    /// replication terms, start a call of their own); each event's outcome is its own.
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
        connection.eventLoop.preconditionInEventLoop()
        let stream = keyspace.ingress
        if let pending = connection.pendingIngest, pending.stream != stream || pending.replication != replication {
            sendPending(on: connection)
        }
        // Taken out while it grows, so the connection holds no second reference to its buffers.
        var batch: IngestBatch
        if let pending = connection.pendingIngest.take() {
            batch = pending
        } else {
            batch = IngestBatch(stream: stream, replication: replication, capacity: 4 * Self.capacity(for: event))
            // After everything this tick reads: the calls made meanwhile join this batch. (Should
            // it have gone already, this sends the pass's next batch, a little early.)
            connection.eventLoop.assumeIsolated().execute { [self] in sendPending(on: connection) }
        }
        append(event, dedupeWindow: dedupeWindow, logRetention: logRetention, to: &batch)
        batch.completions.append(completion)
        // Bounded like the worker's script calls: a pass full of large bodies goes in several.
        if batch.completions.count >= Self.maxEventsPerCall || batch.values.bytes.count >= ScriptChunks.maxBytes {
            send(batch, on: connection)
        } else {
            connection.pendingIngest = batch
        }
    }

    /// Sends the batch the connection is gathering, if any.
    private func sendPending(on connection: RedisLoopConnection) {
        guard let pending = connection.pendingIngest.take() else { return }
        send(pending, on: connection)
    }

    /// The most events one ingest script call carries.
    public static let maxEventsPerCall = 256

    private func send(_ batch: IngestBatch, on connection: RedisLoopConnection) {
        let count = batch.completions.count
        connection.run(IngestScript.script, keyCount: batch.keys.count, arguments: batch.arguments) { [self] reply in
            let results = reply.flatMap { outcomes(of: $0, count: count) }
            guard let replication = batch.replication, case .success(let outcomes) = results,
                outcomes.contains(where: { if case .success = $0 { true } else { false } })
            else {
                for (index, completion) in batch.completions.enumerated() {
                    completion(results.flatMap { $0[index] })
                }
                return
            }
            // One WAIT for the whole call: it covers every write this connection made before it.
            connection.waitForReplicas(replication.replicas, timeout: replication.timeout) { counted in
                let replicated = counted.flatMap { count -> Result<Void, RedisError> in
                    guard count >= replication.replicas else {
                        return .failure(RedisError(
                            kind: .notReplicated,
                            message: "the event reached \(count) of \(replication.replicas) replica\(replication.replicas == 1 ? "" : "s") of Redis at \(connection.url) within \(replication.timeout)"))
                    }
                    return .success(())
                }
                for (index, completion) in batch.completions.enumerated() {
                    completion(outcomes[index].flatMap { outcome in replicated.map { outcome } })
                }
            }
        }
    }

    /// About how many bytes one event adds to a call's keys and arguments.
    private static func capacity(for event: IngressEvent) -> Int {
        256 + 2 * event.webhookID.utf8.count + 2 * event.source.utf8.count + (event.channel?.utf8.count ?? 0)
            + event.eventType.utf8.count + event.body.count
    }

    /// Adds one event's key and its nine arguments (see `IngestScript`) to `batch`.
    private func append(_ event: IngressEvent, dedupeWindow: Duration, logRetention: Duration, to batch: inout IngestBatch) {
        // PX needs a positive value; a zero window still dedupes concurrent retries for 1 ms.
        let windowMillis = dedupeWindow.expiryMillis
        let keepMillis = max(windowMillis, logRetention.expiryMillis)
        batch.keys.append(keyspace.eventLog(source: event.source, webhookID: event.webhookID))
        batch.values.append(windowMillis)
        batch.values.append(event.webhookID)
        batch.values.append(event.source)
        batch.values.append(event.channel ?? "")
        batch.values.append(event.eventType)
        batch.values.append(event.webhookTimestamp)
        batch.values.append(event.receivedAtMillis)
        batch.values.append(event.body)
        batch.values.append(keepMillis)
    }

    /// The script's reply, one outcome per event.
    private func outcomes(of reply: RedisReply, count: Int) -> Result<[Result<IngestOutcome, RedisError>], RedisError> {
        guard let items = reply.array, items.count == count else {
            return .failure(
                RedisError(
                    kind: .protocolViolation,
                    message: "the ingest script on Redis at \(client.url) returned \(reply) for \(count) event\(count == 1 ? "" : "s")"))
        }
        return .success(items.map(outcome(of:)))
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
