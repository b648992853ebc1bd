public import SluiceCore

extension WorkerStore {
    /// How one endpoint's waiting line may release: its rate limit, if any, and how much at once.
    public struct ReleasePace: Sendable, Equatable {
        /// The endpoint's rate limit; nil releases without tokens.
        public var rateLimit: RateLimit?
        /// Deliveries released in one go at most (about what the endpoint's lanes can take).
        public var most: Int
        /// Without a rate limit: how long until the line may release again.
        public var interval: Duration

        public init(rateLimit: RateLimit?, most: Int, interval: Duration) {
            self.rateLimit = rateLimit
            self.most = most
            self.interval = interval
        }
    }

    /// Releases the waiting lines that are due by `nowMillis` onto the deliveries stream, each at
    /// the pace `pace` gives for its endpoint; returns how many lines were due (call again while
    /// it returns `limit`) and how many deliveries were released.
    public func releaseWaiting(
        nowMillis: Int64, limit: Int, pace: (EndpointRef) -> ReleasePace
    ) async throws(RedisError) -> (lines: Int, released: Int) {
        let due = try await client.send([
            "ZRANGEBYSCORE", RedisArgument(keyspace.waiting), "-inf", RedisArgument(nowMillis), "LIMIT", "0", RedisArgument(max(1, limit)),
        ])
        let members = (due.array ?? []).compactMap(\.string)
        guard !members.isEmpty else { return (0, 0) }
        var keys = [RedisArgument(keyspace.waiting), RedisArgument(keyspace.deliveries)]
        var args = [RedisArgument(nowMillis), RedisArgument(members.count)]
        for member in members {
            // A member that is not "<tenant>/<endpoint>" cannot come from the complete script; its
            // line key is still the one it names, so it is released without a limit.
            let ref = EndpointRef(parsing: member) ?? EndpointRef(tenant: member, endpoint: "")
            let pace = pace(ref)
            keys.append(RedisArgument(keyspace.waitingLine(member: member)))
            keys.append(RedisArgument(keyspace.bucket(endpoint: ref)))
            let bucket = pace.rateLimit.map { TokenBucket(limit: $0, nowMillis: nowMillis) }
            args.append(RedisArgument(member))
            args.append(RedisArgument(bucket?.capacity ?? 0))
            args.append(RedisArgument(bucket?.periodMillis ?? 1))
            args.append(RedisArgument(max(1, pace.most)))
            args.append(RedisArgument(max(1, pace.interval.nonNegativeMillis)))
        }
        let reply = try await client.run(ReleaseWaitingScript.script, keys: keys, args: args)
        return (members.count, Int(reply.int ?? 0))
    }

    /// Deliveries waiting in every endpoint's line, by endpoint (`sluice status`, gauges).
    public func waitingCounts() async throws(RedisError) -> [EndpointRef: Int] {
        let reply = try await client.send(["ZRANGE", RedisArgument(keyspace.waiting), "0", "-1"])
        let refs = (reply.array ?? []).compactMap(\.string).compactMap(EndpointRef.init(parsing:))
        guard !refs.isEmpty else { return [:] }
        let lengths = try await client.pipeline(refs.map { ["LLEN", RedisArgument(keyspace.waitingLine(endpoint: $0))] })
        var counts: [EndpointRef: Int] = [:]
        for (ref, length) in zip(refs, lengths) {
            counts[ref] = Int(length.int ?? 0)
        }
        return counts
    }
}
