public import SluiceCore

/// The Redis settings that decide whether it keeps what Sluice writes, as `CONFIG GET` reports
/// them: read the same way by the edge's durability gate and the worker's readiness.
public struct RedisPersistence: Sendable, Equatable {
    public var appendOnly: String?
    public var appendFsync: String?
    public var maxMemory: String?
    public var maxMemoryPolicy: String?

    /// Why the settings could not be read.
    public enum ReadFailure: Error, Equatable {
        /// Redis did not answer.
        case unreachable(String)
        /// Redis answered `CONFIG GET` with an error (renamed or forbidden, as managed services do).
        case configRefused(String)
    }

    /// The settings, in one pipelined round trip.
    public static func read(from client: RedisClient) async -> Result<RedisPersistence, ReadFailure> {
        let replies: [RedisReply]
        do {
            replies = try await client.pipeline(
                ["appendonly", "appendfsync", "maxmemory", "maxmemory-policy"].map { ["CONFIG", "GET", RedisArgument($0)] })
        } catch {
            return .failure(.unreachable(error.message))
        }
        if let message = replies.lazy.compactMap(\.errorMessage).first { return .failure(.configRefused(message)) }
        // CONFIG GET answers [name, value].
        let values = replies.map { reply -> String? in
            guard let pair = reply.array, pair.count == 2 else { return nil }
            return pair[1].string
        }
        return .success(RedisPersistence(appendOnly: values[0], appendFsync: values[1], maxMemory: values[2], maxMemoryPolicy: values[3]))
    }

    /// Why these settings fall short of `required`, or nil.
    public func refusal(for required: RedisDurability) -> String? {
        RedisDurability.refusal(
            required: required, appendOnly: appendOnly, appendFsync: appendFsync, maxMemory: maxMemory, maxMemoryPolicy: maxMemoryPolicy)
    }
}
