public import SluiceCore

extension WorkerStore {
    /// Atomically applies `resolution`, appends `attempt` (when one was made) to the event's
    /// attempt log, and XACKs + XDELs the deliveries entry. A dead letter without an attempt
    /// gets a `not attempted: …` line of its own (duration 0, no status), so the log ends in it.
    ///
    /// For `.deadLetter` the dead letter's `attempts` is `attempt.attempt` when an attempt is
    /// given, else `delivery.attempt - 1` (the attempts made before this claim).
    ///
    /// - Returns: false, having written nothing, when the entry was no longer pending (another
    ///   worker reclaimed and completed it): a completion is never applied twice.
    /// - Throws: `RedisError`; `.server` with Redis's message when it refused the delivery's writes
    ///   (nothing of it was kept, and the entry stays pending).
    @discardableResult
    public func complete(_ entry: DeliveryEntry, attempt: AttemptRecord?, resolution: DeliveryResolution, nowMillis: Int64, retention: Duration) async throws(RedisError) -> Bool {
        let outcomes = try await complete(
            [DeliveryCompletion(entry: entry, attempt: attempt, resolution: resolution)], nowMillis: nowMillis, retention: retention)
        switch outcomes[0] {
        case .settled: return true
        case .notPending: return false
        case .refused(let message): throw RedisError(kind: .server, message: message)
        }
    }

    /// Settles several claimed deliveries in one script call, each as
    /// ``complete(_:attempt:resolution:nowMillis:retention:)`` would: the script is atomic as a
    /// whole, and each delivery keeps its own guard and its own outcome — one whose writes Redis
    /// refuses is left pending with nothing of it kept, and does not hold up the others.
    ///
    /// - Returns: per completion, in order, what became of it.
    /// - Throws: `RedisError` when the call as a whole failed: Redis refused the script before
    ///   its first write, or the connection failed (when a reply was lost, the script may have
    ///   run; settling again then finds its deliveries no longer pending).
    public func complete(_ completions: [DeliveryCompletion], nowMillis: Int64, retention: Duration) async throws(RedisError) -> [CompletionOutcome] {
        guard !completions.isEmpty else { return [] }
        var keys: [RedisArgument] = [
            RedisArgument(keyspace.deliveries), RedisArgument(keyspace.retry), RedisArgument(keyspace.deadLetters),
            RedisArgument(keyspace.waiting),
        ]
        keys.reserveCapacity(4 + 2 * completions.count)
        var args: [RedisArgument] = [
            RedisArgument(Keyspace.deliveryGroup), RedisArgument(retention.expiryMillis), RedisArgument(completions.count),
        ]
        args.reserveCapacity(3 + 6 * completions.count)
        for completion in completions {
            keys.append(RedisArgument(Self.appendCompletion(completion, nowMillis: nowMillis, keyspace: keyspace, to: &args)))
            let event = completion.entry.delivery.event
            keys.append(RedisArgument(keyspace.eventLog(source: event.source, webhookID: event.webhookID)))
        }
        let reply = try await client.run(CompleteScript.script, keys: keys, args: args)
        guard let replies = reply.array, replies.count == completions.count else {
            throw RedisError(
                kind: .protocolViolation,
                message: "the complete script on Redis at \(client.url) returned \(reply) for \(completions.count) deliveries")
        }
        var outcomes: [CompletionOutcome] = []
        outcomes.reserveCapacity(replies.count)
        for reply in replies { outcomes.append(try CompletionOutcome(reply)) }
        return outcomes
    }

    /// Appends one delivery's section of the complete script's ARGV; returns the delivery's own
    /// key for the script: the retry hash it writes (the next attempt's for a retry), its
    /// endpoint's waiting line, or — when it writes neither (delivered, dead-lettered) — the retry
    /// set's key as a placeholder in the same hash slot, so none is built per delivery. A delivery
    /// that goes back to the retry set or a waiting line loses `released`: it is owed no token then.
    private static func appendCompletion(
        _ completion: DeliveryCompletion, nowMillis: Int64, keyspace: Keyspace, to args: inout [RedisArgument]
    ) -> String {
        let entry = completion.entry
        let mode: String
        let ownKey: String
        var deliveryID = ""
        var dueAtMillis: Int64 = 0
        var fields: [(String, [UInt8])] = []
        var logged = completion.attempt
        switch completion.resolution {
        case .delivered:
            mode = "delivered"
            ownKey = keyspace.retry
        case .retry(let next, let due):
            mode = "retry"
            deliveryID = next.id
            ownKey = keyspace.retryEntry(deliveryID: deliveryID)
            dueAtMillis = due
            var next = next
            next.released = false
            fields = next.fields()
        case .park(let due):
            mode = "retry"
            deliveryID = entry.delivery.id
            ownKey = keyspace.retryEntry(deliveryID: deliveryID)
            dueAtMillis = due
            var parked = entry.delivery
            parked.released = false
            fields = parked.fields()
        case .wait(let due, let front, let postpone):
            mode = (postpone ? "hold" : "wait") + (front ? "_front" : "")
            deliveryID = "\(entry.delivery.target.tenant)/\(entry.delivery.target.endpoint)"
            ownKey = keyspace.waitingLine(endpoint: entry.delivery.target)
            dueAtMillis = due
            var waiting = entry.delivery
            waiting.released = false
            fields = waiting.fields()
        case .deadLetter(let reason, let lastStatus, let lastError):
            mode = "dead_letter"
            ownKey = keyspace.retry
            var dead = entry.delivery
            dead.released = false
            dead.lastStatus = lastStatus
            dead.lastError = lastError
            let attempts = completion.attempt?.attempt ?? max(0, dead.attempt - 1)
            fields = deadLetterFields(dead, reason: reason, attempts: attempts, nowMillis: nowMillis)
            if completion.attempt == nil {
                // Dead-lettered without an attempt (its endpoint is gone, or its circuit never
                // reopened): the log says so, or the event would seem to be still retrying.
                logged = AttemptRecord(
                    atMillis: nowMillis, attempt: dead.attempt, status: nil, durationMillis: 0,
                    error: "not attempted: \(lastError ?? reason.rawValue)", outcome: .deadLetter, reason: reason)
            }
        }
        args.append(RedisArgument(entry.streamID))
        args.append(RedisArgument(mode))
        args.append(RedisArgument(deliveryID))
        args.append(RedisArgument(dueAtMillis))
        args.append(RedisArgument(logged.map { attemptLine(target: entry.delivery.target, record: $0) } ?? []))
        args.append(RedisArgument(fields.count))
        for (name, value) in fields {
            args.append(RedisArgument(name))
            args.append(RedisArgument(value))
        }
        return ownKey
    }
}
