public import Logging

extension Logger {
    /// This logger for a Redis client or connection that does one job: its connection lines
    /// ("Cannot connect to Redis", "Reconnected to Redis") say which of a process's connections
    /// they are about, since an edge or a worker holds several to the same Redis.
    public func forRedisConnection(_ role: String, partition: Int? = nil) -> Logger {
        var logger = self
        logger[metadataKey: "connection"] = "\(role)"
        if let partition { logger[metadataKey: "partition"] = "\(partition)" }
        return logger
    }
}
