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
    /// `redis_version` (`INFO server`).
    public var version: String?

    /// Why the settings could not be read.
    public enum ReadFailure: Error, Equatable {
        /// Redis did not answer.
        case unreachable(String)
        /// Redis answered `CONFIG GET` with an error (renamed or forbidden, as managed services
        /// do); the replicas online and the version, when `INFO` still answered.
        case configRefused(String, replicasOnline: Int?, version: String?)
    }

    public init(
        appendOnly: String? = nil, appendFsync: String? = nil, maxMemory: String? = nil, maxMemoryPolicy: String? = nil,
        replicasOnline: Int? = nil, version: String? = nil
    ) {
        self.appendOnly = appendOnly
        self.appendFsync = appendFsync
        self.maxMemory = maxMemory
        self.maxMemoryPolicy = maxMemoryPolicy
        self.replicasOnline = replicasOnline
        self.version = version
    }

    /// The settings, in one pipelined round trip.
    public static func read(from client: RedisClient) async -> Result<RedisPersistence, ReadFailure> {
        let replies: [RedisReply]
        do {
            replies = try await client.pipeline(
                ["appendonly", "appendfsync", "maxmemory", "maxmemory-policy"].map { ["CONFIG", "GET", RedisArgument($0)] }
                    + [["INFO", "replication"], ["INFO", "server"]])
        } catch {
            return .failure(.unreachable(error.message))
        }
        let replicas = replies.count > 4 ? replies[4].string.map(Self.onlineReplicas(inInfo:)) : nil
        let version = replies.count > 5 ? replies[5].string.flatMap(Self.version(inInfo:)) : nil
        if let message = replies.lazy.compactMap(\.errorMessage).first {
            return .failure(.configRefused(message, replicasOnline: replicas, version: version))
        }
        // CONFIG GET answers [name, value].
        let values = replies.prefix(4).map { reply -> String? in
            guard let pair = reply.array, pair.count == 2 else { return nil }
            return pair[1].string
        }
        return .success(
            RedisPersistence(
                appendOnly: values[0], appendFsync: values[1], maxMemory: values[2], maxMemoryPolicy: values[3],
                replicasOnline: replicas, version: version))
    }

    /// The `redis_version:` line of `INFO server`.
    static func version(inInfo text: String) -> String? {
        text.split(whereSeparator: \.isNewline).lazy.first { $0.hasPrefix("redis_version:") }
            .map { String($0.dropFirst("redis_version:".count)).trimmingCharacters(in: .whitespaces) }
    }

    /// Why the Redis that gave `read` cannot run Sluice (see `versionRefusal(_:)`), whether or
    /// not it let its settings be read; nil when it did not answer.
    public static func versionRefusal(of read: Result<RedisPersistence, ReadFailure>) -> String? {
        switch read {
        case .success(let settings): versionRefusal(settings.version)
        case .failure(.configRefused(_, _, let version)): versionRefusal(version)
        case .failure(.unreachable): nil
        }
    }

    /// Why a Redis of `version` cannot run Sluice (older than 7.0: the route script's `#!lua`
    /// line, among others, is Redis 7's), or nil; nil too for a version that does not parse.
    public static func versionRefusal(_ version: String?) -> String? {
        guard let version, let major = Int(version.prefix { $0 != "." }), major < 7 else { return nil }
        return "Redis \(version) is older than 7.0, which Sluice needs (its scripts use Redis 7's script flags); upgrade Redis"
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
