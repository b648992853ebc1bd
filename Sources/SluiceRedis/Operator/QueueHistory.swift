/// The installation's queue depths once a minute (`{P}:v1:history`), for the console's sparklines.
public struct QueueHistory: Sendable {
    /// One minute's reading.
    public struct Sample: Sendable, Equatable {
        /// The minute, unix ms.
        public var minuteMillis: Int64
        public var status: StoreStatus

        public init(minuteMillis: Int64, status: StoreStatus) {
            self.minuteMillis = minuteMillis
            self.status = status
        }
    }

    /// Partition 0's client, whose slot holds the history.
    public let client: RedisClient
    public let key: String
    /// About 3 hours of minutes; the console shows the last 60.
    public static let kept = 180

    public init(client: RedisClient, keyspace: Keyspace) {
        self.client = client
        self.key = keyspace.history
    }

    /// Records `status` for the minute of `nowMillis`, unless a worker already did: returns
    /// whether this call wrote it.
    @discardableResult
    public func record(_ status: StoreStatus, nowMillis: Int64) async throws(RedisError) -> Bool {
        let minute = nowMillis - nowMillis % 60_000
        do {
            _ = try await client.send([
                "XADD", RedisArgument(key), "MAXLEN", "~", RedisArgument(Self.kept), RedisArgument("\(minute)-0"),
                "ingress", RedisArgument(status.ingressLength), "deliveries", RedisArgument(status.deliveriesLength),
                "retry", RedisArgument(status.retryBacklog), "waiting", RedisArgument(status.waiting), "dlq", RedisArgument(status.deadLetters),
            ])
            return true
        } catch where error.kind == .server && error.message.contains("equal or smaller") {
            // Another worker recorded this minute first.
            return false
        }
    }

    /// The last `count` minutes recorded, oldest first.
    public func samples(count: Int = 60) async throws(RedisError) -> [Sample] {
        let reply = try await client.send(["XREVRANGE", RedisArgument(key), "+", "-", "COUNT", RedisArgument(max(1, count))])
        return RedisStreamEntry.entries(from: reply).reversed().compactMap { entry in
            guard let minute = RedisStreamEntry.millis(ofID: entry.id) else { return nil }
            var values: [String: Int] = [:]
            for index in stride(from: 0, to: entry.fields.count - 1, by: 2) {
                if let name = entry.fields[index].string, let value = entry.fields[index + 1].string.flatMap({ Int($0) }) {
                    values[name] = value
                }
            }
            return Sample(
                minuteMillis: minute,
                status: StoreStatus(
                    ingressLength: values["ingress"] ?? 0, ingressPending: 0, deliveriesLength: values["deliveries"] ?? 0,
                    deliveriesPending: 0, retryBacklog: values["retry"] ?? 0, deadLetters: values["dlq"] ?? 0, waiting: values["waiting"] ?? 0))
        }
    }
}
