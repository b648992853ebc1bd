import SluiceCore
import Foundation

/// One worker's view of one endpoint's recent attempts, as it publishes it every few seconds in
/// `{P}:v1:endpoint-stats` (field `<tenant>/<endpoint>@<consumer>`, a JSON object) for the console.
public struct EndpointSummary: Sendable, Equatable, Codable {
    public var endpoint: String
    public var consumer: String
    /// When it was published (unix ms); the console ignores summaries older than a minute.
    public var atMillis: Int64
    /// Attempts among the recent ones this covers (at most `EndpointSummary.window`).
    public var attempts: Int
    /// Of those, answered with a 2xx.
    public var succeeded: Int
    public var p50Millis: Int64
    public var p95Millis: Int64
    public var p99Millis: Int64
    /// Attempts running in this worker now.
    public var inFlight: Int
    public var lastError: String?
    public var lastErrorAtMillis: Int64?
    /// Attempts that ended in the minute before `atMillis`, and how many of them failed: the
    /// endpoint's delivery and failure rates (absent from summaries of earlier versions).
    public var lastMinute: Int?
    public var failedLastMinute: Int?

    /// How many recent attempts per endpoint a worker keeps.
    public static let window = 200

    /// Whether its counts are ones a worker publishes. The hash is shared, and the console adds
    /// the counts up: a summary written by anything else (`attempts` at Int64.max) must not
    /// crash the overview.
    var isPlausible: Bool {
        let counts = 0...1_000_000_000
        return (0...Self.window).contains(attempts) && (0...attempts).contains(succeeded) && counts.contains(inFlight)
            && (lastMinute.map(counts.contains) ?? true) && (failedLastMinute.map(counts.contains) ?? true)
    }

    public init(
        endpoint: String, consumer: String, atMillis: Int64, attempts: Int, succeeded: Int, p50Millis: Int64, p95Millis: Int64,
        p99Millis: Int64, inFlight: Int, lastError: String?, lastErrorAtMillis: Int64?, lastMinute: Int? = nil, failedLastMinute: Int? = nil
    ) {
        self.endpoint = endpoint
        self.consumer = consumer
        self.atMillis = atMillis
        self.attempts = attempts
        self.succeeded = succeeded
        self.p50Millis = p50Millis
        self.p95Millis = p95Millis
        self.p99Millis = p99Millis
        self.inFlight = inFlight
        self.lastError = lastError
        self.lastErrorAtMillis = lastErrorAtMillis
        self.lastMinute = lastMinute
        self.failedLastMinute = failedLastMinute
    }
}

extension WorkerStore {
    /// Publishes this worker's summaries (one HSET, the hash kept 5 minutes past the last write).
    public func publish(_ summaries: [EndpointSummary]) async throws(RedisError) {
        guard !summaries.isEmpty else { return }
        let encoder = JSONEncoder()
        var command: [RedisArgument] = ["HSET", RedisArgument(keyspace.endpointStats)]
        for summary in summaries {
            guard let json = try? encoder.encode(summary) else { continue }
            command += [RedisArgument("\(summary.endpoint)@\(summary.consumer)"), RedisArgument(Array(json))]
        }
        _ = try await client.pipeline([command, ["PEXPIRE", RedisArgument(keyspace.endpointStats), "300000"]])
    }

    /// Every worker's summaries, as published.
    public func endpointSummaries() async throws(RedisError) -> [EndpointSummary] {
        let reply = try await client.send(["HGETALL", RedisArgument(keyspace.endpointStats)])
        let items = reply.array ?? []
        let decoder = JSONDecoder()
        return stride(from: 1, to: items.count, by: 2).compactMap { index in
            items[index].bytes.flatMap { try? decoder.decode(EndpointSummary.self, from: Data($0)) }
        }.filter(\.isPlausible)
    }
}
