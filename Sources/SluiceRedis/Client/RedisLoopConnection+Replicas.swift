extension RedisLoopConnection {
    /// Calls `completion` with how many replicas hold every write this connection made before
    /// now, as `WAIT replicas timeout` answers — at most `timeout` later. Must be called on
    /// `eventLoop`, right after the reply to the write in question; `completion` runs there.
    ///
    /// Calls from one event-loop tick share one `WAIT` (asking for the most replicas and the
    /// longest timeout among them). A caller whose write went out on a connection that has been
    /// replaced since fails with `.connectionLost`: a `WAIT` on the new connection would say
    /// nothing about that write.
    public func waitForReplicas(_ replicas: Int, timeout: Duration, completion: @escaping (Result<Int, RedisError>) -> Void) {
        eventLoop.preconditionInEventLoop()
        replicaWaits.waiting.append(
            ReplicaWaitQueue.Waiter(
                connection: statistics.connects, replicas: replicas, timeoutMillis: timeout.expiryMillis, completion: completion))
        if !replicaWaits.inFlight { sendWait() }
    }

    private func sendWait() {
        let current = statistics.connects
        var batch: [ReplicaWaitQueue.Waiter] = []
        swap(&batch, &replicaWaits.waiting)
        let stale = batch.filter { $0.connection != current }
        batch.removeAll { $0.connection != current }
        for waiter in stale {
            waiter.completion(.failure(RedisError(
                kind: .connectionLost,
                message: "the connection to Redis at \(url) was replaced after the write, so its replication cannot be confirmed")))
        }
        guard let replicas = batch.map(\.replicas).max(), let timeoutMillis = batch.map(\.timeoutMillis).max() else { return }
        replicaWaits.inFlight = true
        send(["WAIT", RedisArgument(replicas), RedisArgument(timeoutMillis)]) { [self] result in
            replicaWaits.inFlight = false
            let counted = result.flatMap { reply -> Result<Int, RedisError> in
                guard let count = reply.int else {
                    return .failure(RedisError(kind: .protocolViolation, message: "Redis at \(url) answered WAIT with \(reply)"))
                }
                return .success(Int(count))
            }
            for waiter in batch { waiter.completion(counted) }
            if !replicaWaits.waiting.isEmpty { sendWait() }
        }
    }
}
