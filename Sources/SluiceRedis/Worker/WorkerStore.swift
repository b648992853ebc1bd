public import SluiceCore
import Logging

/// The worker's view of Redis: claiming, routing, completing, retrying and dead-lettering
/// deliveries, each state change one atomic script (see `Scripts/` and `Keyspace`).
///
/// `blockingClient` carries the XREADGROUP BLOCK calls so they never hold up the pipelined
/// writes on `client`.
public struct WorkerStore: Sendable {
    public let client: RedisClient
    public let blockingClient: RedisClient
    public let keyspace: Keyspace

    public init(client: RedisClient, blockingClient: RedisClient, keyspace: Keyspace) {
        self.client = client
        self.blockingClient = blockingClient
        self.keyspace = keyspace
    }

    /// How many XAUTOCLAIM pages one claim call reads at most, so a large pending list of
    /// deleted entries cannot keep a claim call busy.
    static let claimPages = 4

    /// Creates the `router` and `delivery` consumer groups (and their streams) if missing.
    ///
    /// Groups start at `0`: an entry still in a stream has not been acknowledged (the scripts
    /// delete what they acknowledge), so after Redis lost a group everything left is unprocessed.
    public func ensureGroups() async throws(RedisError) {
        let replies = try await client.pipeline([
            ["XGROUP", "CREATE", RedisArgument(keyspace.ingress), RedisArgument(Keyspace.routerGroup), "0", "MKSTREAM"],
            ["XGROUP", "CREATE", RedisArgument(keyspace.deliveries), RedisArgument(Keyspace.deliveryGroup), "0", "MKSTREAM"],
        ])
        for reply in replies {
            if let message = reply.errorMessage {
                let error = RedisError(kind: .server, message: message)
                if !error.isBusyGroup { throw error }
            }
        }
    }

    // MARK: Router stage

    /// New ingress entries for this consumer (XREADGROUP … BLOCK); recreates the groups on NOGROUP.
    ///
    /// A `block` of zero does not block. Entries whose fields do not decode come back with a nil
    /// `event` (they stay pending).
    public func readIngress(consumer: String, count: Int, block: Duration) async throws(RedisError) -> [IngressEntry] {
        let entries = try await readGroup(stream: keyspace.ingress, group: Keyspace.routerGroup, consumer: consumer, count: count, block: block)
        return entries.map { IngressEntry(streamID: $0.id, event: IngressEvent.decode(fields: $0.fields)) }
    }

    /// Ingress entries pending longer than `minIdle` in other (dead) consumers, claimed for this one (XAUTOCLAIM).
    public func claimStaleIngress(consumer: String, minIdle: Duration, count: Int) async throws(RedisError) -> [IngressEntry] {
        let entries = try await claim(stream: keyspace.ingress, group: Keyspace.routerGroup, consumer: consumer, minIdle: minIdle, count: count)
        return entries.map { IngressEntry(streamID: $0.id, event: IngressEvent.decode(fields: $0.fields)) }
    }

    // MARK: Delivery stage

    /// New deliveries for this consumer (XREADGROUP … BLOCK); recreates the groups on NOGROUP.
    ///
    /// A `block` of zero does not block. An entry whose fields do not decode as a `Delivery`
    /// (not written by Sluice) is not returned: ``readDeliveryBatch(consumer:count:block:)``
    /// names it, for ``deadLetterUndecodable(ids:in:nowMillis:)``.
    public func readDeliveries(consumer: String, count: Int, block: Duration) async throws(RedisError) -> [DeliveryEntry] {
        try await readDeliveryBatch(consumer: consumer, count: count, block: block).entries
    }

    /// Like ``readDeliveries(consumer:count:block:)``, and also the ids of entries that do not
    /// decode, for ``deadLetterUndecodable(ids:in:nowMillis:)``.
    public func readDeliveryBatch(consumer: String, count: Int, block: Duration) async throws(RedisError) -> DeliveryBatch {
        batch(try await readGroup(stream: keyspace.deliveries, group: Keyspace.deliveryGroup, consumer: consumer, count: count, block: block))
    }

    /// Deliveries pending longer than `minIdle` (their worker died), claimed for this consumer (XAUTOCLAIM).
    public func claimStaleDeliveries(consumer: String, minIdle: Duration, count: Int) async throws(RedisError) -> [DeliveryEntry] {
        try await claimStaleDeliveryBatch(consumer: consumer, minIdle: minIdle, count: count).entries
    }

    /// Like ``claimStaleDeliveries(consumer:minIdle:count:)``, and also the ids that do not decode.
    public func claimStaleDeliveryBatch(consumer: String, minIdle: Duration, count: Int) async throws(RedisError) -> DeliveryBatch {
        batch(try await claim(stream: keyspace.deliveries, group: Keyspace.deliveryGroup, consumer: consumer, minIdle: minIdle, count: count))
    }

    private func batch(_ entries: [RedisStreamEntry]) -> DeliveryBatch {
        var batch = DeliveryBatch()
        for entry in entries {
            if var decoded = Self.deliveryEntry(from: entry) {
                decoded.partition = keyspace.partition
                batch.entries.append(decoded)
            } else {
                batch.undecodable.append(entry.id)
            }
        }
        return batch
    }

    /// Moves entries of `stream` that do not decode to the dead letters (reason `undecodable`,
    /// their raw fields kept), acknowledging and deleting them; returns how many were moved.
    @discardableResult
    public func deadLetterUndecodable(ids: [String], in stream: UndecodableStream, nowMillis: Int64) async throws(RedisError) -> Int {
        let valid = ids.filter(Self.isStreamID)
        guard !valid.isEmpty else { return 0 }
        let (key, group) = stream == .ingress ? (keyspace.ingress, Keyspace.routerGroup) : (keyspace.deliveries, Keyspace.deliveryGroup)
        let reply = try await client.run(
            UndecodableScript.script, keys: [RedisArgument(key), RedisArgument(keyspace.deadLetters)],
            args: [RedisArgument(group), RedisArgument(stream.rawValue), RedisArgument(nowMillis)] + valid.map { RedisArgument($0) })
        return Int(reply.int ?? 0)
    }

    /// Moves retries due by `nowMillis` back onto the deliveries stream; returns how many moved.
    ///
    /// Moves at most `limit` per call (one script run); call again while it returns `limit`.
    public func moveDueRetries(nowMillis: Int64, limit: Int) async throws(RedisError) -> Int {
        let due = try await client.send([
            "ZRANGEBYSCORE", RedisArgument(keyspace.retry), "-inf", RedisArgument(nowMillis), "LIMIT", "0", RedisArgument(max(1, limit)),
        ])
        let ids = (due.array ?? []).compactMap(\.string)
        if ids.isEmpty { return 0 }
        let reply = try await client.run(
            MoveRetriesScript.script,
            keys: [RedisArgument(keyspace.retry), RedisArgument(keyspace.deliveries)]
                + ids.map { RedisArgument(keyspace.retryEntry(deliveryID: $0)) },
            args: [RedisArgument(nowMillis)] + ids.map { RedisArgument($0) }
        )
        return Int(reply.int ?? 0)
    }

    /// Takes one token from the endpoint's shared bucket: nil when granted, else how long until one
    /// is free and whether only the endpoint's waiting line held it back.
    public func takeToken(endpoint: EndpointRef, limit: RateLimit, nowMillis: Int64) async throws(RedisError) -> TokenRefusal? {
        let bucket = TokenBucket(limit: limit, nowMillis: nowMillis)
        // The waiting line goes in too: while it holds deliveries, a new one queues behind them.
        let reply = try await client.run(
            TokenBucketScript.script,
            keys: [RedisArgument(keyspace.bucket(endpoint: endpoint)), RedisArgument(keyspace.waitingLine(endpoint: endpoint))],
            args: bucket.scriptArguments(nowMillis: nowMillis).map { RedisArgument($0) }
        )
        guard let wait = reply.int else {
            throw RedisError(kind: .protocolViolation, message: "the token bucket script on Redis at \(client.url) returned \(reply) instead of a wait in ms")
        }
        if wait == 0 { return nil }
        return TokenRefusal(wait: .milliseconds(abs(wait)), behindLine: wait < 0)
    }

    // MARK: Operators

    /// Dead letters, oldest first.
    ///
    /// - Parameters:
    ///   - count: at most this many (nil: all).
    ///   - after: only those after this dead-letter id (for paging; nil: from the start).
    ///
    /// Entries that do not decode (not written by Sluice) are skipped.
    public func deadLetters(count: Int? = nil, after: String? = nil) async throws(RedisError) -> [DeadLetterEntry] {
        try await deadLetterPage(count: count, after: after).entries
    }

    /// Like ``deadLetters(count:after:)``, also saying how many entries were read and the last
    /// one's id, so that a reader paging through goes on past entries that do not decode (one
    /// such entry made a page look like the last).
    public func deadLetterPage(count: Int? = nil, after: String? = nil) async throws(RedisError) -> (entries: [DeadLetterEntry], read: Int, lastID: String?) {
        let start: String
        if let after {
            guard Self.isStreamID(after) else { return ([], 0, nil) }
            start = "(" + after
        } else {
            start = "-"
        }
        var command: [RedisArgument] = ["XRANGE", RedisArgument(keyspace.deadLetters), RedisArgument(start), "+"]
        if let count { command += ["COUNT", RedisArgument(max(1, count))] }
        let reply = try await client.send(command)
        let raw = RedisStreamEntry.entries(from: reply)
        return (raw.compactMap(Self.deadLetter(from:)), raw.count, raw.last?.id)
    }

    /// One dead letter, or nil when there is none with that id.
    public func deadLetter(id: String) async throws(RedisError) -> DeadLetterEntry? {
        guard Self.isStreamID(id) else { return nil }
        let reply = try await client.send(["XRANGE", RedisArgument(keyspace.deadLetters), RedisArgument(id), RedisArgument(id)])
        return RedisStreamEntry.entries(from: reply).first.flatMap(Self.deadLetter(from:))
    }

    /// Atomically replaces dead letter `id` by `deliveries` (fresh schedules) on the deliveries stream.
    /// Returns false (and changes nothing) when the dead letter no longer exists — replay is idempotent.
    ///
    /// With no deliveries (a `no_route` event that still matches no route), or with a delivery
    /// that has no target (a `no_route` dead letter's own delivery, which no worker could
    /// decode), nothing changes and it returns false: the dead letter stays.
    ///
    /// `archiveWindow` above zero archives the event with its targets in the same step, as the
    /// router archives a routed event under `worker.recovery_window`: for a `no_route` dead
    /// letter, which was never archived. Other dead letters were archived when they were routed.
    public func replay(deadLetterID id: String, with deliveries: [Delivery], archiveWindow: Duration = .zero) async throws(RedisError) -> Bool {
        guard Self.isStreamID(id), let first = deliveries.first,
            deliveries.allSatisfy({ !$0.target.tenant.isEmpty && !$0.target.endpoint.isEmpty })
        else { return false }
        let archiving = archiveWindow > .zero
        let copies = deliveries.count + (archiving ? 1 : 0)
        var arguments = RESPArguments(capacity: 256 + copies * (512 + first.event.body.count))
        arguments.append(keyspace.deadLetters)
        arguments.append(keyspace.deliveries)
        arguments.append(keyspace.archive)
        arguments.append(keyspace.eventLog(source: first.event.source, webhookID: first.event.webhookID))
        arguments.append(id)
        Self.appendSections(deliveries.map { $0.fields() }, to: &arguments)
        Self.appendSections(archiving ? [ArchivedEvent.fields(first: first, targets: deliveries.map(\.target))] : [], to: &arguments)
        arguments.append(archiving ? "\(archiveWindow.nonNegativeMillis)" : "")
        let reply = try await client.run(ReplayScript.script, keyCount: 4, arguments: arguments)
        return reply.int == 1
    }

    /// Deletes dead letters; returns how many existed.
    public func purge(deadLetterIDs ids: [String]) async throws(RedisError) -> Int {
        let valid = ids.filter(Self.isStreamID)
        if valid.isEmpty { return 0 }
        let reply = try await client.send(["XDEL", RedisArgument(keyspace.deadLetters)] + valid.map { RedisArgument($0) })
        return Int(reply.int ?? 0)
    }

    /// What the router recorded about an event (its latest routing: a replayed `no_route` event
    /// is routed again) and every attempt made for it, in order, from one round trip.
    /// The record is nil when the event is unknown, not routed yet, or past retention.
    ///
    /// The log is the event's key after its acceptance time (see `IngestScript`). Earlier
    /// versions kept it in a list per source, which is read too, ahead of the key's lines, so an
    /// event routed before an upgrade and attempted after it reads whole; before that, a list
    /// under the webhook-id alone was used, read when neither has anything, if its record names
    /// that source.
    public func eventLog(source: String, webhookID: String) async throws(RedisError) -> (record: EventRecord?, attempts: [LoggedAttempt]) {
        let replies = try await client.pipeline([
            ["LRANGE", RedisArgument(keyspace.attempts(source: source, webhookID: webhookID)), "0", "-1"],
            ["GET", RedisArgument(keyspace.eventLog(source: source, webhookID: webhookID))],
        ])
        let listed = replies.first.flatMap(\.array)?.compactMap(\.bytes) ?? []
        let appended = replies.dropFirst().first.flatMap(\.bytes).map(Self.logLines(of:)) ?? []
        let current = Self.log(listed + appended)
        if current.record != nil || !current.attempts.isEmpty { return current }
        let earlierReply = try await client.send(["LRANGE", RedisArgument(keyspace.attempts(webhookID: webhookID)), "0", "-1"])
        let earlier = Self.log((earlierReply.array ?? []).compactMap(\.bytes))
        if let record = earlier.record, record.source == source { return earlier }
        // Events routed before the record moved into the log kept it in a hash of its own.
        let legacy = try await client.send(["HGETALL", RedisArgument(keyspace.event(webhookID: webhookID))])
        guard let fields = legacy.array, !fields.isEmpty,
            let record = Self.eventRecord(webhookID: webhookID, from: fields), record.source == source
        else { return (nil, []) }
        return (record, earlier.attempts)
    }

    private static func log(_ lines: [[UInt8]]) -> (record: EventRecord?, attempts: [LoggedAttempt]) {
        (lines.reversed().lazy.compactMap(EventRecord.init(logLine:)).first, lines.compactMap(loggedAttempt(from:)))
    }

    /// The lines of an event's key: after the acceptance time (leading digits, absent when the
    /// key was re-created by a line written after it expired), one JSON object per line.
    static func logLines(of value: [UInt8]) -> [[UInt8]] {
        let start = value.firstIndex { !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? value.endIndex
        return value[start...].split(separator: UInt8(ascii: "\n")).map(Array.init)
    }

    /// The record part of ``eventLog(source:webhookID:)``.
    public func eventRecord(source: String, webhookID: String) async throws(RedisError) -> EventRecord? {
        try await eventLog(source: source, webhookID: webhookID).record
    }

    /// The attempts part of ``eventLog(source:webhookID:)``.
    public func attemptLog(source: String, webhookID: String) async throws(RedisError) -> [LoggedAttempt] {
        try await eventLog(source: source, webhookID: webhookID).attempts
    }

    /// When the oldest entry still in stream `key` was added (unix ms); nil when it is empty.
    public func oldestEntryMillis(in key: String) async throws(RedisError) -> Int64? {
        let reply = try await client.send(["XRANGE", RedisArgument(key), "-", "+", "COUNT", "1"])
        return RedisStreamEntry.entries(from: reply).first.flatMap { RedisStreamEntry.millis(ofID: $0.id) }
    }

    /// Queue depths (one round trip; a missing consumer group counts 0 pending).
    public func status() async throws(RedisError) -> StoreStatus {
        let replies = try await client.pipeline([
            ["XLEN", RedisArgument(keyspace.ingress)],
            ["XPENDING", RedisArgument(keyspace.ingress), RedisArgument(Keyspace.routerGroup)],
            ["XLEN", RedisArgument(keyspace.deliveries)],
            ["XPENDING", RedisArgument(keyspace.deliveries), RedisArgument(Keyspace.deliveryGroup)],
            ["ZCARD", RedisArgument(keyspace.retry)],
            ["XLEN", RedisArgument(keyspace.deadLetters)],
        ])
        guard replies.count == 6 else {
            throw RedisError(kind: .protocolViolation, message: "Redis at \(client.url) answered \(replies.count) of 6 status commands")
        }
        func count(_ reply: RedisReply) throws(RedisError) -> Int {
            if let message = reply.errorMessage {
                let error = RedisError(kind: .server, message: message)
                if error.isNoGroup { return 0 }
                throw error
            }
            // XPENDING's summary form is [count, first id, last id, consumers].
            if let elements = reply.array { return Int(elements.first?.int ?? 0) }
            return Int(reply.int ?? 0)
        }
        return StoreStatus(
            ingressLength: try count(replies[0]),
            ingressPending: try count(replies[1]),
            deliveriesLength: try count(replies[2]),
            deliveriesPending: try count(replies[3]),
            retryBacklog: try count(replies[4]),
            deadLetters: try count(replies[5]),
            waiting: try await waitingCounts().values.reduce(0, +)
        )
    }

    // MARK: Helpers

    private func readGroup(stream: String, group: String, consumer: String, count: Int, block: Duration) async throws(RedisError) -> [RedisStreamEntry] {
        var command: [RedisArgument] = ["XREADGROUP", "GROUP", RedisArgument(group), RedisArgument(consumer), "COUNT", RedisArgument(max(1, count))]
        let blockMillis = block.nonNegativeMillis
        if blockMillis > 0 { command += ["BLOCK", RedisArgument(blockMillis)] }
        command += ["STREAMS", RedisArgument(stream), ">"]
        let reply: RedisReply
        do {
            reply = try await blockingClient.send(command)
        } catch where error.isNoGroup {
            // Redis lost the group (flush, restart without persistence): recreate and carry on.
            try await recreateGroups(missing: group, of: stream)
            reply = try await blockingClient.send(command)
        }
        // One stream was asked for: take its entries straight from the reply (`[[stream, entries]]`)
        // rather than through a dictionary keyed by stream name.
        for element in reply.array ?? [] {
            if let pair = element.array, pair.count == 2, pair[0].bytes?.elementsEqual(stream.utf8) == true {
                return RedisStreamEntry.entries(from: pair[1])
            }
        }
        return []
    }

    private func claim(stream: String, group: String, consumer: String, minIdle: Duration, count: Int) async throws(RedisError) -> [RedisStreamEntry] {
        let wanted = max(1, count)
        var claimed: [RedisStreamEntry] = []
        var cursor = "0-0"
        for _ in 0..<Self.claimPages {
            let reply: RedisReply
            do {
                reply = try await client.send([
                    "XAUTOCLAIM", RedisArgument(stream), RedisArgument(group), RedisArgument(consumer),
                    RedisArgument(minIdle.nonNegativeMillis), RedisArgument(cursor), "COUNT", RedisArgument(wanted - claimed.count),
                ])
            } catch where error.isNoGroup {
                try await recreateGroups(missing: group, of: stream)
                return claimed
            }
            guard let parts = reply.array, parts.count >= 2, let next = parts[0].string else {
                throw RedisError(kind: .protocolViolation, message: "Redis at \(client.url) answered XAUTOCLAIM with \(reply)")
            }
            // Entries deleted while pending come back with nil fields (Redis 6.2) or only in the
            // third element (Redis 7); either way there is nothing to process.
            claimed += RedisStreamEntry.entries(from: parts[1]).filter { !$0.fields.isEmpty }
            cursor = next
            if cursor == "0-0" || claimed.count >= wanted { break }
        }
        return claimed
    }

    /// Recreates the consumer groups after Redis answered NOGROUP, and says so: a group does not
    /// vanish on its own, so Redis lost its data (FLUSHALL, a restart without persistence, a
    /// failover to an empty replica) or someone destroyed it, and what it held may be gone.
    private func recreateGroups(missing group: String, of stream: String) async throws(RedisError) {
        try await ensureGroups()
        blockingClient.logger.warning(
            "consumer group was missing and has been recreated: Redis lost its data (FLUSHALL, a restart without persistence, a failover to an empty replica) or someone destroyed the group; if Redis lost its data, the deliveries, retries and dead letters it held are gone and webhook-ids seen before are accepted again",
            metadata: ["stream": "\(stream)", "group": "\(group)", "redis": "\(blockingClient.url)"])
    }

    static func deliveryEntry(from entry: RedisStreamEntry) -> DeliveryEntry? {
        var list = FieldList(entry.fields)
        return Delivery(field: { list.value(named: $0) }).map { DeliveryEntry(streamID: entry.id, delivery: $0) }
    }

    /// `<ms>` or `<ms>-<seq>`, each a 64-bit unsigned number: anything else would make
    /// XRANGE/XDEL answer an error (for XDEL, refusing every id of the command).
    public static func isStreamID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in part.allSatisfy { $0.isASCII && $0.isNumber } && UInt64(part) != nil }
    }
}
