public import SluiceCore

/// The Redis settings that decide whether it keeps what Sluice writes, as `CONFIG GET` reports
/// them: read the same way by the edge's durability gate and the worker's readiness.
public struct RedisPersistence: Sendable, Equatable {
    public var appendOnly: String?
    public var appendFsync: String?
    public var maxMemory: String?
    public var maxMemoryPolicy: String?
    /// Replicas in state `online` (`INFO replication`), for `durability: replicated`.
    public var replicasOnline: Int?

    /// Why the settings could not be read.
    public enum ReadFailure: Error, Equatable {
        /// Redis did not answer.
        case unreachable(String)
        /// Redis answered `CONFIG GET` with an error (renamed or forbidden, as managed services
        /// do); the replicas online, when `INFO replication` still answered.
        case configRefused(String, replicasOnline: Int?)
    }

    public init(
        appendOnly: String? = nil, appendFsync: String? = nil, maxMemory: String? = nil, maxMemoryPolicy: String? = nil,
        replicasOnline: Int? = nil
    ) {
        self.appendOnly = appendOnly
        self.appendFsync = appendFsync
        self.maxMemory = maxMemory
        self.maxMemoryPolicy = maxMemoryPolicy
        self.replicasOnline = replicasOnline
    }

    /// The settings, in one pipelined round trip.
    public static func read(from client: RedisClient) async -> Result<RedisPersistence, ReadFailure> {
        let replies: [RedisReply]
        do {
            replies = try await client.pipeline(
                ["appendonly", "appendfsync", "maxmemory", "maxmemory-policy"].map { ["CONFIG", "GET", RedisArgument($0)] }
                    + [["INFO", "replication"]])
        } catch {
            return .failure(.unreachable(error.message))
        }
        if let message = replies.lazy.compactMap(\.errorMessage).first {
            let replicas = replies.count > 4 ? replies[4].string.map(Self.onlineReplicas(inInfo:)) : nil
            return .failure(.configRefused(message, replicasOnline: replicas))
        }
        // CONFIG GET answers [name, value].
        let values = replies.prefix(4).map { reply -> String? in
            guard let pair = reply.array, pair.count == 2 else { return nil }
            return pair[1].string
        }
        return .success(
            RedisPersistence(
                appendOnly: values[0], appendFsync: values[1], maxMemory: values[2], maxMemoryPolicy: values[3],
                replicasOnline: replies.count > 4 ? replies[4].string.map(Self.onlineReplicas(inInfo:)) : nil))
    }

    /// Counts the `slaveN:…,state=online,…` lines of `INFO replication`.
    static func onlineReplicas(inInfo text: String) -> Int {
        text.split(whereSeparator: \.isNewline).filter { line in
            line.hasPrefix("slave") && line.contains(":") && line.split(separator: ",").contains("state=online")
        }.count
    }

    /// Why these settings fall short of `required` (with `replication` for `replicated`), or nil.
    public func refusal(for required: RedisDurability, replication: RedisReplication = RedisReplication()) -> String? {
        RedisDurability.refusal(
            required: required, appendOnly: appendOnly, appendFsync: appendFsync, maxMemory: maxMemory, maxMemoryPolicy: maxMemoryPolicy,
            replicasOnline: replicasOnline, replicasRequired: replication.replicas)
    }
}
