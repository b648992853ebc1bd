extension RedisDurability {
    /// Why Redis's settings as it reported them fall short of `required`, or nil.
    public static func refusal(
        required: RedisDurability, appendOnly: String?, appendFsync: String?, maxMemory: String? = "0", maxMemoryPolicy: String? = "noeviction",
        replicasOnline: Int? = nil, replicasRequired: Int = 1
    ) -> String? {
        if required != .none, let policy = maxMemoryPolicy, policy != "noeviction", let limit = maxMemory, limit != "0" {
            return "Redis runs with maxmemory \(limit) and maxmemory-policy \(policy), so it may evict keys — Sluice's streams, retries and dead letters among them — once full; set maxmemory-policy noeviction (Redis then refuses writes when full, and the edge answers 503)"
        }
        switch required {
        case .none:
            return nil
        case .write:
            guard appendOnly == "yes" else {
                return "redis.durability is write but Redis runs with appendonly \(appendOnly ?? "unknown"), so a Redis restart would lose every accepted event; set appendonly yes (or durability: none to accept that)"
            }
            return nil
        case .fsync:
            guard appendOnly == "yes" else {
                return "redis.durability is fsync but Redis runs with appendonly \(appendOnly ?? "unknown"); set appendonly yes and appendfsync always"
            }
            guard appendFsync == "always" else {
                return "redis.durability is fsync but Redis runs with appendfsync \(appendFsync ?? "unknown"); set appendfsync always (or use durability: write)"
            }
            return nil
        case .replicated:
            guard appendOnly == "yes" else {
                return "redis.durability is replicated but Redis runs with appendonly \(appendOnly ?? "unknown"); set appendonly yes, so a restarted master does not resynchronise its replicas from an empty data set"
            }
            let online = replicasOnline ?? 0
            guard online >= replicasRequired else {
                return "redis.durability is replicated with redis.replicas \(replicasRequired) but Redis has \(online) replica\(online == 1 ? "" : "s") online"
            }
            return nil
        }
    }
}
