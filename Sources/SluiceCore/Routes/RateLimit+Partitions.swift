extension RateLimit {
    /// What each of `partitions` partitions may use of this limit, so that together they never
    /// exceed it: the rate divided evenly, and the burst too (at least one request each).
    ///
    /// Each partition keeps its own bucket (a Lua script touches one hash slot), and webhook-ids
    /// spread events evenly over partitions, so under load each partition sees about its share
    /// of an endpoint's traffic. An endpoint whose few deliveries all sit in one partition gets
    /// that partition's share only: the split errs below the limit, never above it.
    public func share(of partitions: Int) -> RateLimit {
        guard partitions > 1 else { return self }
        let burst = max(1, count / partitions)
        // `burst` per stretched period is exactly count / (period × partitions) per second.
        return RateLimit(count: burst, period: period * (Double(burst * partitions) / Double(count)))
    }
}
