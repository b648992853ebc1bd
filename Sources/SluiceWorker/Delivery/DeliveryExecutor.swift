import Foundation
import Logging
import SluiceCore
import SluiceDelivery
import SluiceRedis

/// Makes one attempt of one claimed delivery and records its result (docs/http.md, "The worker's requests").
///
/// In order: an endpoint gone from routes.yaml dead-letters (`endpoint_removed`); an open circuit
/// or an empty rate-limit bucket puts the delivery in the endpoint's waiting line; the SSRF guard
/// resolves and pins the address (`blocked_address` dead-letters); then the signed request goes
/// out and its result is classified into delivered, retry or dead letter. An attempt abandoned
/// by shutdown or cancellation records nothing: the entry stays pending and is reclaimed.
struct DeliveryExecutor: Sendable {
    let state: WorkerState
    /// Each delivery is settled in its own partition's store.
    let stores: WorkerStores
    let httpClient: HTTPClient
    let breakers: CircuitBreakers
    /// This worker's consumer name, under which it reports open circuits.
    let consumer: String
    let metrics: DeliveryMetrics
    let builder: OutboundRequestBuilder
    let logger: Logger
    let clock: @Sendable () -> Date
    /// Settles results in batches, per partition.
    let completions: CompletionBatchers
    /// Endpoints this worker recently sent to their waiting line.
    let lines = WaitingLineMemory()
    /// Recent attempts per endpoint, for the console.
    let activity = EndpointActivity()
    /// Failed attempts that go again, logged per endpoint rather than one by one.
    let retryLog: RetryLog

    /// Writes one batch of results: the store's complete script (tests put a fault in between).
    typealias Settle = @Sendable (WorkerStore, [DeliveryCompletion], _ nowMillis: Int64, _ retention: Duration) async throws(RedisError) -> [CompletionOutcome]

    init(
        state: WorkerState, stores: WorkerStores, httpClient: HTTPClient, breakers: CircuitBreakers, consumer: String,
        metrics: DeliveryMetrics, builder: OutboundRequestBuilder, logger: Logger, clock: @escaping @Sendable () -> Date,
        settle: @escaping Settle = { store, completions, nowMillis, retention throws(RedisError) in
            try await store.complete(completions, nowMillis: nowMillis, retention: retention)
        }
    ) {
        self.state = state
        self.stores = stores
        self.httpClient = httpClient
        self.breakers = breakers
        self.consumer = consumer
        self.metrics = metrics
        self.builder = builder
        self.logger = logger
        self.retryLog = RetryLog(logger: logger)
        self.clock = clock
        // The retention and time in force when the batch goes, which is when it is written.
        self.completions = CompletionBatchers(stores: stores) { store in
            CompletionBatcher { completions throws(RedisError) in
                try await settle(store, completions, clock().unixMillis, state.current.routes.worker.attemptLogRetention)
            }
        }
    }

    /// Brings `sluice_endpoint_circuit_open` up to date between attempts: a circuit another worker
    /// may have seen recover, or whose `circuit_breaker:` changed on reload, reads 0, not the 1 its
    /// last attempt here left. An endpoint that left routes.yaml loses its series altogether.
    func refreshCircuitGauges() {
        let routes = state.current.routes
        metrics.forget { routes.endpoint($0) != nil }
        let open = breakers.openEndpoints(nowMillis: clock().unixMillis, forgetAfterMillis: StatusReport.staleAfterMillis) { ref in
            routes.tenants[ref.tenant]?.endpoints[ref.endpoint]?.circuitBreaker
        }
        metrics.refreshCircuits(open: open)
    }

    /// At shutdown: takes back this worker's open-circuit reports, so `sluice status` does not show
    /// a circuit of a worker that is gone for the 5 minutes it keeps a stale report. Best effort:
    /// a worker killed outright leaves its reports to that expiry.
    func withdrawCircuitReports() async {
        let store = stores.store(0)
        for ref in breakers.notClosed() {
            try? await store.publishCircuit(ref, consumer: consumer, probeAtMillis: nil)
        }
    }

    /// `releaseLane` is called once the attempt's request is over, before its result is recorded.
    func deliver(_ entry: DeliveryEntry, releaseLane: @Sendable () async -> Void = {}) async {
        let snapshot = state.current
        let delivery = entry.delivery
        let ref = delivery.target
        guard let target = snapshot.target(ref) else {
            logger.warning(
                "endpoint removed from routes.yaml; dead-lettering its delivery",
                metadata: metadata(delivery, attempted: false).merging(["reason": "\(DeadLetterReason.endpointRemoved.rawValue)"]) { $1 })
            if await complete(
                entry, attempt: nil,
                resolution: .deadLetter(.endpointRemoved, lastStatus: delivery.lastStatus, lastError: "endpoint \(ref) was removed from routes.yaml"))
            {
                // Without an attempt, counted once written: a write that fails leaves the delivery
                // pending, and it comes back here after the visibility timeout.
                metrics.count(ref, outcome: "dead_letter")
                metrics.deadLetters.count(.endpointRemoved)
            }
            return
        }
        let endpoint = target.endpoint
        let now = clock().unixMillis
        // `schedule[0]` is the delay before attempt 1, counted from when the schedule began (the
        // event's acceptance, or its replay): until then the delivery waits in the retry set.
        // Not jittered: this check runs again when it comes back, and must then let it through.
        if delivery.attempt == 1, delivery.firstAttemptAtMillis == nil, let first = endpoint.retry.schedule.first {
            let due = delivery.scheduleStartMillis + max(0, first.wholeMilliseconds)
            if due > now {
                await park(entry, until: due)
                return
            }
        }
        if let open = breakers.isOpen(endpoint, nowMillis: now) {
            // A delivery gets its whole schedule and one more cooldown (a last probe's chance)
            // before an endpoint that stays down sends it to the dead letters for replay — from
            // its first attempt, or before one from when its schedule began (a replay's is new),
            // and only while the circuit has stayed open all that time: an endpoint that keeps
            // coming back (a probe succeeded since) is not down, and a delivery that waited in its
            // line behind others meanwhile has not used its attempts. It waits for its turn.
            let waitingSince = max(delivery.firstAttemptAtMillis ?? delivery.scheduleStartMillis, open.sinceMillis)
            let patience = RetryPolicy(endpoint.retry).span + endpoint.circuitBreaker.cooldown
            if now - waitingSince > patience.wholeMilliseconds {
                let lastError = "the endpoint's circuit stayed open past its retry schedule; last error: \(delivery.lastError ?? "none")"
                logger.warning(
                    "circuit still open after the whole retry schedule; dead-lettering",
                    metadata: metadata(delivery, error: delivery.lastError ?? "none", attempted: false)
                        .merging(["reason": "\(DeadLetterReason.exhausted.rawValue)"]) { $1 })
                if await complete(entry, attempt: nil, resolution: .deadLetter(.exhausted, lastStatus: delivery.lastStatus, lastError: lastError)) {
                    metrics.count(ref, outcome: "dead_letter")
                    metrics.deadLetters.count(.exhausted)
                }
                return
            }
            await wait(entry, until: open.reopensAtMillis, postpone: true)
            return
        }
        // A delivery released from the endpoint's waiting line was given its token there; while
        // the line holds others, a new one joins it without asking for a token it would not get.
        if let limit = endpoint.rateLimit, !delivery.released {
            if lines.isActive(ref, nowMillis: now) {
                // Not remembered anew, as in the delivery stage: only a delivery the endpoint
                // cannot take keeps the memory (`DeliveryStage.dispatch`).
                await wait(entry, until: now + 1, remember: false)
                return
            }
            do {
                // Each partition keeps its own bucket with its share of the limit.
                let store = stores.store(entry.partition)
                if let refusal = try await store.takeToken(endpoint: ref, limit: limit.share(of: stores.count), nowMillis: now) {
                    // Remembered only when the endpoint is short of tokens: behind a line that is
                    // about to be let out, the next delivery may well get one.
                    await wait(entry, until: now + max(1, refusal.wait.wholeMilliseconds), remember: !refusal.behindLine)
                    return
                }
            } catch {
                logger.error("rate limit bucket unavailable; parking the delivery", metadata: metadata(delivery, error: error))
                await park(entry, until: now + 1000)
                return
            }
        }
        if case .wait(let until) = breakers.admit(endpoint, nowMillis: now) {
            await wait(entry, until: until, postpone: true)
            return
        }
        await attempt(entry, target: target, snapshot: snapshot, releaseLane: releaseLane)
    }

    private func attempt(
        _ entry: DeliveryEntry, target: DeliveryTarget, snapshot: WorkerSnapshot, releaseLane: @Sendable () async -> Void
    ) async {
        let delivery = entry.delivery
        let endpoint = target.endpoint
        let startedAt = clock()
        let started = ContinuousClock.now
        // What the console's endpoint view learns of this attempt: nothing if it is abandoned.
        // Its request counts as running there until it ends, like its place in the lane.
        var succeeded: Bool?
        var failure: String?
        activity.started(delivery.target)
        var result: AttemptResult
        var reachedEndpoint = false
        var keptHeaders: [String: String]?
        do throws(SSRFError) {
            let pinned = try await snapshot.ssrfGuard.check(url: endpoint.url)
            let outbound = builder.request(
                for: delivery, endpoint: endpoint, tenant: target.tenant, nowSeconds: Int64(startedAt.timeIntervalSince1970))
            let request = HTTPRequest(
                method: "POST", url: outbound.url,
                headers: outbound.headers.map { HTTPHeader(name: $0.name, value: $0.value) },
                body: outbound.body, timeout: endpoint.timeout, connectTo: pinned, tls: endpoint.tls.isEmpty ? nil : endpoint.tls,
                keptResponseHeaders: Self.keptResponseHeaders)
            do throws(HTTPClientError) {
                let response = try await httpClient.execute(request)
                result = .response(status: response.status, retryAfter: response.header("retry-after"))
                reachedEndpoint = true
                if !response.headers.isEmpty {
                    keptHeaders = Dictionary(
                        response.headers.map { ($0.name, AttemptRecord.keptHeaderValue($0.value)) }, uniquingKeysWith: { first, _ in first })
                }
            } catch {
                if error.kind == .addressMismatch {
                    // The connection went somewhere the guard never judged: as refused as a blocked address.
                    result = .blockedAddress(message: error.message)
                } else if let kind = error.transportFailureKind {
                    result = .transportFailure(kind, message: error.message)
                    reachedEndpoint = true
                } else {
                    // The shutdown's one warning counts these; a line each would repeat it per delivery.
                    logger.debug("attempt abandoned by shutdown; the delivery stays pending", metadata: metadata(delivery))
                    activity.finished(delivery.target, succeeded: nil, duration: ContinuousClock.now - started, error: nil, atMillis: clock().unixMillis)
                    return
                }
            }
        } catch {
            switch error.kind {
            case .blockedAddress: result = .blockedAddress(message: error.message)
            case .resolutionFailed: result = .transportFailure(.dns, message: error.message)
            case .invalidURL: result = .transportFailure(.other, message: error.message)
            }
        }
        let duration = ContinuousClock.now - started
        let finishedMillis = clock().unixMillis
        switch result {
        case .response(let status, _):
            succeeded = (200..<300).contains(status)
            failure = succeeded == true ? nil : "HTTP \(status)"
        case .transportFailure(_, let message), .blockedAddress(let message):
            succeeded = false
            failure = message
        }
        var random = SystemRandomNumberGenerator()
        let outcome = DeliveryOutcome.classify(
            result, attempt: delivery.attempt, policy: RetryPolicy(endpoint.retry), nowMillis: finishedMillis, random: &random)

        if reachedEndpoint {
            // A 410 proves the endpoint alive; only failures to get a useful answer count against it.
            let healthy: Bool
            switch outcome {
            case .delivered, .deadLetter(.gone, _, _): healthy = true
            default: healthy = false
            }
            let change = breakers.record(endpoint, success: healthy, nowMillis: finishedMillis)
            metrics.setCircuitOpen(delivery.target, change.isOpen)
            if change.flipped || change.probeFailed { logCircuit(change, endpoint: endpoint, lastError: failure) }
            if change.flipped || change.isOpen {
                // For `sluice status`; a lost update only makes the display stale, so it is not awaited.
                let ref = delivery.target
                // Reports live in partition 0 whatever the delivery's partition: one place to set and clear.
                let store = stores.store(0)
                Task { [consumer] in try? await store.publishCircuit(ref, consumer: consumer, probeAtMillis: change.isOpen ? change.probeAtMillis : nil) }
            }
            metrics.recordDuration(delivery.target, duration)
        }
        // The request is over and, when it reached the endpoint, the circuit has its result (a
        // probe's included): the next delivery for this endpoint may go while this one's result
        // is recorded.
        activity.finished(delivery.target, succeeded: succeeded, duration: duration, error: failure, atMillis: finishedMillis)
        await releaseLane()

        var record: AttemptRecord
        let resolution: DeliveryResolution
        switch outcome {
        case .delivered:
            let status: Int? = if case .response(let code, _) = result { code } else { nil }
            record = AttemptRecord(atMillis: startedAt.unixMillis, attempt: delivery.attempt, status: status, durationMillis: duration.wholeMilliseconds, error: nil, outcome: .delivered)
            resolution = .delivered
            metrics.count(delivery.target, outcome: "delivered")
            logger.debug("delivered", metadata: metadata(delivery))
        case .retry(let after, let lastStatus, let lastError):
            var next = delivery
            next.attempt += 1
            next.firstAttemptAtMillis = delivery.firstAttemptAtMillis ?? startedAt.unixMillis
            next.lastStatus = lastStatus
            next.lastError = lastError
            record = AttemptRecord(atMillis: startedAt.unixMillis, attempt: delivery.attempt, status: lastStatus, durationMillis: duration.wholeMilliseconds, error: lastError, outcome: .retry)
            let dueAtMillis = finishedMillis + after.wholeMilliseconds
            resolution = .retry(next: next, dueAtMillis: dueAtMillis)
            metrics.count(delivery.target, outcome: "retry")
            let error = lastError ?? ""
            retryLog.failed(
                delivery.target, error: error,
                metadata: metadata(delivery, error: error).merging(["next_attempt_at": "\(UnixMillisISO8601.string(dueAtMillis))"]) { $1 })
        case .deadLetter(let reason, let lastStatus, let lastError):
            record = AttemptRecord(atMillis: startedAt.unixMillis, attempt: delivery.attempt, status: lastStatus, durationMillis: duration.wholeMilliseconds, error: lastError, outcome: .deadLetter, reason: reason)
            resolution = .deadLetter(reason, lastStatus: lastStatus, lastError: lastError)
            metrics.count(delivery.target, outcome: "dead_letter")
            logger.warning("delivery dead-lettered", metadata: metadata(delivery, error: lastError ?? "").merging(["reason": "\(reason.rawValue)"]) { $1 })
        }
        record.responseHeaders = keptHeaders
        // Counted once written, as the router and the undecodable entries count theirs: a write
        // that fails leaves the delivery pending, to be tried and counted again.
        if await complete(entry, attempt: record, resolution: resolution), case .deadLetter(let reason, _, _) = resolution {
            metrics.deadLetters.count(reason)
        }
    }

    /// Puts the delivery back in the retry set unchanged (no attempt made).
    func park(_ entry: DeliveryEntry, until dueAtMillis: Int64) async {
        await complete(entry, attempt: nil, resolution: .park(dueAtMillis: dueAtMillis))
    }

    /// Puts the delivery in its endpoint's waiting line (no attempt made): once, however long the
    /// line, instead of cycling through the retry set until the endpoint can take it. One that was
    /// released from the line goes back to its front, so the endpoint's order holds. `remember`:
    /// the endpoint cannot take deliveries for a while, so later ones should join its line directly.
    func wait(_ entry: DeliveryEntry, until dueAtMillis: Int64, postpone: Bool = false, remember: Bool = true) async {
        if remember { lines.note([entry.delivery.target], nowMillis: clock().unixMillis) }
        await complete(
            entry, attempt: nil, resolution: .wait(dueAtMillis: dueAtMillis, front: entry.delivery.released, postpone: postpone))
    }

    /// Puts several deliveries in their endpoints' waiting lines in one script call, in an order
    /// that keeps each line's: deliveries released from a line go back to its front last-first,
    /// the others join its back first-first. Not remembered (`lines`): these are a full lane's
    /// overflow or deliveries the memory itself sent, neither a sign that the endpoint cannot
    /// take any for a while.
    func waitAll(_ entries: [DeliveryEntry], until dueAtMillis: Int64) async {
        guard !entries.isEmpty else { return }
        // Each partition's deliveries go to its own lines, in their own script calls.
        for partition in Set(entries.map(\.partition)).sorted() {
            await waitAll(entries.filter { $0.partition == partition }, partition: partition, until: dueAtMillis)
        }
    }

    private func waitAll(_ entries: [DeliveryEntry], partition: Int, until dueAtMillis: Int64) async {
        let ordered = entries.filter(\.delivery.released).reversed() + entries.filter { !$0.delivery.released }
        let batch = ordered.map {
            DeliveryCompletion(entry: $0, attempt: nil, resolution: .wait(dueAtMillis: dueAtMillis, front: $0.delivery.released))
        }
        // In order, in calls of bounded size: each carries its deliveries' bodies.
        let batcher = completions(partition)
        let calls = ScriptChunks.ranges(
            count: batch.count, maxItems: batcher.maxBatch, maxBytes: batcher.maxBytes, items: { _ in 1 },
            bytes: { CompletionBatcher.argumentBytes(batch[$0]) })
        let store = stores.store(partition)
        var done = 0
        var refused: [(DeliveryEntry, String)] = []
        let error = await retryingWhileUnavailable({ () throws(RedisError) in
            while done < calls.count {
                let outcomes = try await store.complete(
                    Array(batch[calls[done]]), nowMillis: clock().unixMillis, retention: state.current.routes.worker.attemptLogRetention)
                for (completion, outcome) in zip(batch[calls[done]], outcomes) {
                    if case .refused(let message) = outcome { refused.append((completion.entry, message)) }
                }
                done += 1
            }
        })
        for (entry, message) in refused {
            logger.error(
                "delivery could not be put in its waiting line; it stays pending and will be reclaimed",
                metadata: metadata(entry.delivery, error: message))
        }
        guard let error else { return }
        logger.error(
            "deliveries could not be put in their waiting lines; they stay pending and will be reclaimed",
            metadata: ["count": "\(batch.count - calls[done].lowerBound)", "error": "\(error)"])
    }

    /// Applies the resolution, retrying briefly; if Redis stays away the entry remains pending and
    /// is reclaimed after the visibility timeout (at-least-once: the attempt may then repeat).
    /// Returns whether this worker's write took effect (not when the entry was no longer
    /// pending: another worker settled it) — or may have, by a try whose reply was lost, after
    /// which the entry is no longer pending either: another worker could have settled it only
    /// after a visibility timeout, far longer than these tries take. So a dead letter is counted
    /// once it is written, as the router counts its `no_route` ones.
    @discardableResult
    private func complete(_ entry: DeliveryEntry, attempt: AttemptRecord?, resolution: DeliveryResolution) async -> Bool {
        var applied = false
        var mayHaveRun = false
        guard let error = await retryingWhileUnavailable({ () throws(RedisError) in
            do throws(RedisError) {
                applied = try await completions(entry.partition).complete(DeliveryCompletion(entry: entry, attempt: attempt, resolution: resolution))
            } catch {
                if error.outcomeUnknown { mayHaveRun = true }
                throw error
            }
        }) else { return applied || mayHaveRun }
        logger.error(
            "delivery result could not be recorded; the delivery stays pending and will be reclaimed",
            metadata: metadata(entry.delivery, error: error))
        return false
    }

    /// A circuit opening, failing a probe or closing in this worker: the moments an on-call
    /// engineer looks for (a failed probe is one line per cooldown, and says when the next is).
    private func logCircuit(_ change: CircuitBreakers.Change, endpoint: EndpointConfig, lastError: String?) {
        var metadata: Logger.Metadata = ["tenant": "\(endpoint.ref.tenant)", "endpoint": "\(endpoint.ref.endpoint)"]
        guard change.isOpen else {
            logger.notice("circuit closed: a probe succeeded; the endpoint's deliveries resume", metadata: metadata)
            return
        }
        // Open, whether just now or again after its probe: why, and when the next probe goes.
        if let probe = change.probeAtMillis { metadata["probe_at"] = "\(UnixMillisISO8601.string(probe))" }
        if let lastError { metadata["error"] = "\(lastError)" }
        if change.probeFailed {
            logger.warning("circuit probe failed: the endpoint's deliveries go on waiting until the next probe", metadata: metadata)
        } else {
            metadata["failures"] = "\(endpoint.circuitBreaker.failures)"
            logger.warning("circuit opened: the endpoint's deliveries wait in its line until a probe succeeds", metadata: metadata)
        }
    }

    /// `attempted`: whether the line is about the attempt just made (`attempt`, its number); a
    /// delivery dead-lettered without one gives the attempts made so far (`attempts`), as
    /// `sluice dlq list` does, since its `attempt` is the next one's number.
    private func metadata(_ delivery: Delivery, error: Any? = nil, attempted: Bool = true) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "event_id": "\(delivery.event.webhookID)",
            "tenant": "\(delivery.target.tenant)",
            "endpoint": "\(delivery.target.endpoint)",
        ]
        if attempted {
            metadata["attempt"] = "\(delivery.attempt)"
        } else {
            metadata["attempts"] = "\(delivery.attempt - 1)"
        }
        if let error { metadata["error"] = "\(error)" }
        return metadata
    }

    /// The only response header the outcome depends on (429/503 with Retry-After set the next delay's floor).
    private static let keptResponseHeaders = AttemptRecord.keptResponseHeaders
}
