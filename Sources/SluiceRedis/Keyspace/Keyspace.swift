// Sluice's Redis data structures. Every key starts with the hash tag `{P}` (P = routes.yaml
// `redis.prefix`, default "sluice") followed by a layout version, so all keys of one installation
// live in one Redis Cluster slot and every Lua script touches a single slot; a future layout
// change gets `v2` keys beside the old ones instead of reinterpreting them.
//
//   {P}:v1:ingress                        STREAM  accepted events, appended by the edge's ingest
//                                                 script; fields: id (webhook-id), source, channel
//                                                 ("" = none), type, ts (webhook-timestamp, unix s),
//                                                 received_at (unix ms), body (raw bytes).
//                                                 Consumer group `router`. Trimmed only after ack.
//   {P}:v1:dedupe:<source>:<webhook-id>   STRING  the ingress stream id of the accepted event;
//                                                 TTL = the source's dedupe window. Written by the
//                                                 same script as the XADD, so it never exists
//                                                 without its stream entry.
//   {P}:v1:deliveries                     STREAM  one entry per (event, endpoint) to deliver;
//                                                 consumer group `delivery`. (Worker.)
//   {P}:v1:retry                          ZSET    deliveries waiting for their next attempt,
//                                                 scored by due time in unix ms. (Worker.)
//   {P}:v1:dlq                            STREAM  dead letters; removed only by `dlq purge` or
//                                                 `dlq replay`, never trimmed silently. (Worker.)
//   {P}:v1:attempts:<delivery-id>         LIST    the attempt log of one delivery, expiring after
//                                                 `worker.attempt_log_retention`. (Worker.)
//
// Keys for the worker are named here so that every layout decision stays in one file; the worker
// may add keys, always through this type and always under the same hash tag.

/// The names of every Redis key and consumer group Sluice uses, under one hash-tagged prefix.
public struct Keyspace: Sendable, Hashable {
    /// The prefix used when routes.yaml has no `redis.prefix`.
    public static let defaultPrefix = "sluice"
    /// The layout version in every key.
    public static let version = "v1"
    /// The consumer group of the router stage on the ingress stream.
    public static let routerGroup = "router"
    /// The consumer group of the delivery stage on the deliveries stream.
    public static let deliveryGroup = "delivery"

    /// The configured prefix, without braces.
    public let prefix: String
    /// `{prefix}:v1`, the start of every key.
    public let base: String

    /// Creates the keyspace for `prefix`.
    ///
    /// A `{` or `}` in `prefix` would break the hash tag, so they are removed; configuration
    /// validation should reject such a prefix before it gets here.
    public init(prefix: String = Keyspace.defaultPrefix) {
        let cleaned = prefix.filter { $0 != "{" && $0 != "}" }
        self.prefix = cleaned.isEmpty ? Keyspace.defaultPrefix : cleaned
        self.base = "{\(self.prefix)}:\(Keyspace.version)"
    }

    /// The ingress stream of accepted events.
    public var ingress: String { "\(base):ingress" }
    /// The stream of pending deliveries.
    public var deliveries: String { "\(base):deliveries" }
    /// The sorted set of deliveries waiting for a retry, scored by due time (unix ms).
    public var retry: String { "\(base):retry" }
    /// The dead-letter stream.
    public var deadLetters: String { "\(base):dlq" }

    /// The dedupe marker of `webhookID` from `source`.
    public func dedupe(source: String, webhookID: String) -> String {
        "\(base):dedupe:\(source):\(webhookID)"
    }

    /// The attempt log of one delivery.
    public func attempts(deliveryID: String) -> String {
        "\(base):attempts:\(deliveryID)"
    }
}
