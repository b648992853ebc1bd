import SluiceRedis
import Synchronization

/// Settles finished deliveries in batches: one complete-script call per Redis round trip rather
/// than one per delivery (a script call costs Redis more than the few commands inside it).
///
/// The first completion to arrive while nothing is on its way to Redis starts a flush at once;
/// completions arriving while that batch travels wait and go together in the next one (at most
/// `maxBatch`), the way the connection groups commands itself. So a lone completion is not
/// delayed, and a busy worker sends few, large batches.
///
/// One delivery whose writes Redis refuses fails alone: the script settles the rest of its batch
/// (`CompletionOutcome.refused`). A batch that Redis cannot take for now (a lost connection, a
/// replica, no memory) fails every completion in it, and each caller retries or leaves its
/// delivery pending. A batch whose script fails outright (an argument it cannot handle) has
/// written nothing but its guard's claim, so it is tried delivery by delivery: only the one it
/// cannot handle fails.
final class CompletionBatcher: Sendable {
    /// Settles one batch: per completion, what became of it.
    typealias Settle = @Sendable ([DeliveryCompletion]) async throws(RedisError) -> [CompletionOutcome]

    private struct Waiting {
        let completion: DeliveryCompletion
        let continuation: CheckedContinuation<Result<Bool, RedisError>, Never>
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var flushing = false
    }

    let maxBatch: Int
    private let settle: Settle
    private let queue = Mutex(Queue())

    /// Bytes of script arguments one batch carries at most (a single completion may exceed it).
    let maxBytes: Int

    init(maxBatch: Int = 256, maxBytes: Int = ScriptChunks.maxBytes, settle: @escaping Settle) {
        self.maxBatch = max(1, maxBatch)
        self.maxBytes = maxBytes
        self.settle = settle
    }

    /// Settles `completion` with the next batch.
    /// - Returns: false when its entry was no longer pending (another worker settled it).
    func complete(_ completion: DeliveryCompletion) async throws(RedisError) -> Bool {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Bool, RedisError>, Never>) in
            let startsFlush = queue.withLock { queue in
                queue.waiting.append(Waiting(completion: completion, continuation: continuation))
                guard !queue.flushing else { return false }
                queue.flushing = true
                return true
            }
            if startsFlush {
                Task { await self.flush() }
            }
        }
        return try result.get()
    }

    /// About what `completion` adds to the complete script's arguments.
    static func argumentBytes(_ completion: DeliveryCompletion) -> Int {
        switch completion.resolution {
        case .delivered: 256
        case .retry, .park, .wait, .deadLetter: 512 + completion.entry.delivery.event.body.count
        }
    }

    /// Sends batches until nothing is waiting; only one flush runs at a time.
    private func flush() async {
        while true {
            let batch = queue.withLock { queue -> [Waiting] in
                guard !queue.waiting.isEmpty else {
                    queue.flushing = false
                    return []
                }
                // Retries, dead letters and waiting deliveries carry the body: bound the bytes too.
                // (Read in place: a copy of the queue held across the removal below would be
                // copied whole on every flush.)
                let count = ScriptChunks.ranges(
                    count: min(maxBatch, queue.waiting.count), maxItems: maxBatch, maxBytes: maxBytes, items: { _ in 1 },
                    bytes: { Self.argumentBytes(queue.waiting[$0].completion) }
                ).first?.count ?? 0
                let batch = Array(queue.waiting.prefix(count))
                queue.waiting.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            await send(batch)
        }
    }

    private func send(_ batch: [Waiting]) async {
        do {
            let outcomes = try await settle(batch.map(\.completion))
            guard outcomes.count == batch.count else {
                let error = RedisError(kind: .protocolViolation, message: "settling \(batch.count) deliveries returned \(outcomes.count) results")
                for waiting in batch { waiting.continuation.resume(returning: .failure(error)) }
                return
            }
            for (waiting, outcome) in zip(batch, outcomes) {
                switch outcome {
                case .settled: waiting.continuation.resume(returning: .success(true))
                case .notPending: waiting.continuation.resume(returning: .success(false))
                case .refused(let message): waiting.continuation.resume(returning: .failure(RedisError(kind: .server, message: message)))
                }
            }
        } catch where error.kind == .server && !error.isWorthRetrying && batch.count > 1 {
            for waiting in batch { await send([waiting]) }
        } catch {
            for waiting in batch { waiting.continuation.resume(returning: .failure(error)) }
        }
    }
}
