/// The callers of one `RedisLoopConnection` waiting for `WAIT` to confirm that their writes
/// reached the replicas: one `WAIT` at a time serves every caller registered before it was sent,
/// since it covers all the writes the connection made before it.
struct ReplicaWaitQueue {
    struct Waiter {
        /// The connection (`Statistics.connects`) the caller's write went out on: `WAIT` speaks
        /// only for the writes of its own connection.
        var connection: Int
        var replicas: Int
        var timeoutMillis: Int64
        var completion: (Result<Int, RedisError>) -> Void
    }

    /// Registered since the last `WAIT` was sent.
    var waiting: [Waiter] = []
    /// A `WAIT` is out; later callers wait for the next one.
    var inFlight = false
}
