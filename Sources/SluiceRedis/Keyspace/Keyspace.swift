public import SluiceCore

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
//   {P}:v1:dedupe:<source>:<webhook-id>   STRING  the event's key: dedupe marker and log. Starts
//                                                 with when the event was accepted (unix ms,
//                                                 digits); written by the same script as the
//                                                 XADD, so it never exists without its stream
//                                                 entry. Then the event's log, appended line by
//                                                 line (each ending in "\n"): the router's record
//                                                 (`{"event":{…}}`: webhook_id, source, channel,
//                                                 type, received_at, routed_at, targets; see
//                                                 `EventRecord+LogLine`) and one line per attempt
//                                                 (`AttemptRecord` JSON plus "target":
//                                                 "tenant/endpoint"). TTL = the longer of the
//                                                 source's dedupe window and
//                                                 `worker.attempt_log_retention`, counted from
//                                                 acceptance (or from the first line appended
//                                                 after it expired). A webhook-id seen again past
//                                                 the window is accepted again and its time
//                                                 replaces the head, keeping the log.
//   {P}:v1:deliveries                     STREAM  one entry per (event, endpoint) to deliver, the
//                                                 fields of `Delivery.fields()` (binary safe, body
//                                                 raw). Consumer group `delivery`. Written by the
//                                                 route, mover and replay scripts; an entry is
//                                                 XDEL'd by the script that XACKs it.
//   {P}:v1:retry                          ZSET    member = delivery id (`<ingress-id>/<tenant>/
//                                                 <endpoint>`), score = due time in unix ms:
//                                                 deliveries waiting for their next attempt, for
//                                                 a first step of their schedule, or parked when
//                                                 Redis could not give a rate-limit token or at
//                                                 shutdown (an open circuit or an empty bucket
//                                                 sends them to their endpoint's waiting line).
//   {P}:v1:retry:<delivery-id>            HASH    the waiting delivery's `Delivery.fields()`, as
//                                                 it will be retried (attempt already advanced).
//                                                 Written with its ZSET member by the complete
//                                                 script; both removed by the mover script as it
//                                                 XADDs the fields back to `deliveries`.
//   {P}:v1:dlq                            STREAM  dead letters: `Delivery.fields()` (last_status
//                                                 and last_error of the final attempt) plus
//                                                 `reason` (DeadLetterReason raw value), `attempts`
//                                                 (attempts made) and `dead_lettered_at` (unix ms).
//                                                 The entry id is the dead letter's id. For
//                                                 `no_route` tenant and endpoint are "" and
//                                                 attempts 0. Removed only by `dlq purge` or
//                                                 `dlq replay`, never trimmed silently.
//   {P}:v1:attempts:<source>:<webhook-id> LIST    legacy: the event's log as earlier versions kept
//                                                 it, one line per element (and before that
//                                                 `{P}:v1:attempts:<webhook-id>`); read by
//                                                 `events show` ahead of the key's own lines, no
//                                                 longer written.
//   {P}:v1:event:<webhook-id>             HASH    legacy: the event record of earlier versions,
//                                                 read by `events show` when the log has none;
//                                                 no longer written.
//   {P}:v1:bucket:<tenant>/<endpoint>     HASH    the endpoint's shared token bucket (`u`, `t`;
//                                                 see `TokenBucket.luaSource`); expires once full.
//   {P}:v1:waiting                        ZSET    member = "<tenant>/<endpoint>", score = when its
//                                                 waiting line may next release (unix ms): the
//                                                 endpoints whose deliveries wait for a rate-limit
//                                                 token, a full lane or an open circuit.
//   {P}:v1:waiting:<tenant>/<endpoint>    LIST    the endpoint's waiting line, oldest first: one
//                                                 element per delivery, its `Delivery.fields()`
//                                                 each written as `<byte length>:<bytes>`. Pushed
//                                                 by the complete script (`wait`), popped by the
//                                                 release script at the endpoint's rate, which
//                                                 XADDs each back to `deliveries` with `released`.
//   {P}:v1:archive                        STREAM  with `worker.recovery_window` set: one entry per
//                                                 routed event that had deliveries, written by the
//                                                 route script with them (or, for a `no_route`
//                                                 event, by the replay script that sends its dead
//                                                 letter to endpoints) — the event's fields
//                                                 (`IngressEvent.fields`, body included), `ingress_id`
//                                                 and `targets` ("tenant/endpoint,…") — trimmed to
//                                                 the window (XTRIM MINID) on each write. Read by
//                                                 `sluice replay --endpoint`, which sends an
//                                                 endpoint's deliveries since a time again.
//   {P}:v1:event-index                    STREAM  the search index of the console and `sluice events
//                                                 list`: one small entry per routed event, written
//                                                 by the route script with its routing (so no event
//                                                 is routed without it) — fields id (webhook-id),
//                                                 source, type, targets ("tenant/endpoint,…", ""
//                                                 for no_route) — entry id = when it was routed.
//                                                 Capped at `worker.event_index` entries (XADD
//                                                 MAXLEN ~, default 100,000; 0 = not written).
//                                                 Outcomes are read from each event's log.
//   {P}:v1:endpoint-stats                 HASH    field "<tenant>/<endpoint>@<consumer>" = that
//                                                 worker's `EndpointSummary` (JSON) of the endpoint's
//                                                 last 200 attempts: success count, latency
//                                                 percentiles, in flight, last error. Rewritten every
//                                                 few seconds (every field of a live worker at least
//                                                 once a minute); the janitor removes fields not
//                                                 refreshed for 5 minutes (dead workers', removed
//                                                 endpoints'), and the hash expires 5 minutes after
//                                                 the last write; the console ignores summaries
//                                                 older than a minute. Partition 0 only.
//   {P}:v1:history                        STREAM  the queue depths of the whole installation once a
//                                                 minute (entry id = the minute, unix ms; fields
//                                                 ingress, deliveries, retry, waiting, dlq), written
//                                                 by whichever worker refreshes its gauges first in
//                                                 that minute (a second XADD with the same id fails
//                                                 and is ignored); capped at about 3 hours. Read
//                                                 by the console. Partition 0 only.
//   {P}:v1:circuits                       HASH    open circuits, for `sluice status`: field "<tenant>/<endpoint>@<consumer>",
//                                                 value = unix ms when that worker may probe again. Written when a
//                                                 worker's breaker opens, removed when it closes; advisory only.
//
// Partitions (`redis.partitions: N`): everything above exists once per partition. Partition 0
// is the layout above, under `{P}`; partition k > 0 is the same under `{P:pk}` (its own hash
// tag, so a Redis Cluster may place it on another master). An event's partition is
// `EventPartition.of(webhookID:count:)`; its key, its stream entries, deliveries, retries, dead
// letters, waiting lines and token buckets all stay in that partition (each bucket with its
// share of the endpoint's limit, `RateLimit.share(of:)`). Open-circuit reports are kept in
// partition 0's `circuits` only, and one more key is shared:
//
//   {P}:v1:partitions                     STRING  the highest partition count an edge or worker
//                                                 of this installation has used (absent = 1).
//                                                 Raised by every edge and worker to its own
//                                                 `redis.partitions`; workers read every
//                                                 partition below it, so lowering the count
//                                                 leaves none unread. Lowered only by `sluice
//                                                 partitions prune`, once the partitions above
//                                                 the configured count are empty.
//
// Every state change of the worker is one Lua script (Scripts/) whose keys are all passed in
// KEYS, so each script touches one slot. Keys are named here so that every layout decision stays
// in one file; new keys go through this type and under the same hash tag.

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
    /// Which partition's keys these are (0 for an installation with one partition).
    public let partition: Int
    /// The hash tag of every key, without braces: `prefix`, or `prefix:pK` for partition K > 0.
    /// On a Redis Cluster, the partition's clients talk to the master of this tag's slot.
    public let tag: String
    /// `{tag}:v1`, the start of every key.
    public let base: String

    /// Creates the keyspace of `partition` for `prefix`.
    ///
    /// A `{` or `}` in `prefix` would break the hash tag, so they are removed; configuration
    /// validation should reject such a prefix before it gets here.
    public init(prefix: String = Keyspace.defaultPrefix, partition: Int = 0) {
        let cleaned = prefix.filter { $0 != "{" && $0 != "}" }
        self.prefix = cleaned.isEmpty ? Keyspace.defaultPrefix : cleaned
        self.partition = max(0, partition)
        self.tag = self.partition == 0 ? self.prefix : "\(self.prefix):p\(self.partition)"
        self.base = "{\(tag)}:\(Keyspace.version)"
    }

    /// The keyspaces of partitions 0..<count of `prefix`.
    public static func partitions(prefix: String, count: Int) -> [Keyspace] {
        (0..<max(1, count)).map { Keyspace(prefix: prefix, partition: $0) }
    }

    /// `{P}:v1:partitions`, the installation's highest partition count in use (see above); the
    /// same key for every partition.
    public var partitionCount: String { "{\(prefix)}:\(Keyspace.version):partitions" }

    /// The ingress stream of accepted events.
    public var ingress: String { "\(base):ingress" }
    /// The stream of pending deliveries.
    public var deliveries: String { "\(base):deliveries" }
    /// The sorted set of deliveries waiting for a retry, scored by due time (unix ms).
    public var retry: String { "\(base):retry" }
    /// The dead-letter stream.
    public var deadLetters: String { "\(base):dlq" }
    /// `{P}:v1:circuits`: which workers hold which endpoint's circuit open (for `sluice status`).
    public var circuits: String { "\(base):circuits" }
    /// `{P}:v1:archive`: routed events kept for `worker.recovery_window` (see above).
    public var archive: String { "\(base):archive" }

    /// `{P}:v1:event-index`: the search index of recently routed events (`worker.event_index`; see above).
    public var eventIndex: String { "\(base):event-index" }

    /// `{P}:v1:endpoint-stats`: each worker's summary of each endpoint's recent attempts (see above).
    public var endpointStats: String { "\(base):endpoint-stats" }

    /// `{P}:v1:history`: the queue depths once a minute over every partition, for the console's
    /// sparklines (partition 0's only).
    public var history: String { "\(base):history" }

    /// The key of `webhookID` from `source`: its dedupe marker, followed by its log (its record
    /// and all its deliveries' attempts). Per source, since two sources may use the same id.
    /// Named `dedupe` for its first use; the name stays so that markers of earlier versions
    /// still dedupe.
    public func eventLog(source: String, webhookID: String) -> String {
        "\(base):dedupe:\(source):\(webhookID)"
    }

    /// The log key of earlier versions, a list per source and webhook-id; still read by
    /// `events show`.
    public func attempts(source: String, webhookID: String) -> String {
        "\(base):attempts:\(source):\(webhookID)"
    }

    /// The log key of earlier versions, by webhook-id alone; still read by `events show`.
    public func attempts(webhookID: String) -> String {
        "\(base):attempts:\(webhookID)"
    }

    /// The attempt log key for `deliveryID`; superseded by ``attempts(webhookID:)`` now that the
    /// log is kept per event, and kept for source compatibility.
    public func attempts(deliveryID: String) -> String {
        "\(base):attempts:\(deliveryID)"
    }

    /// The fields of a delivery waiting in the retry set.
    public func retryEntry(deliveryID: String) -> String {
        "\(base):retry:\(deliveryID)"
    }

    /// The router's record of one event, by webhook-id.
    public func event(webhookID: String) -> String {
        "\(base):event:\(webhookID)"
    }

    /// Endpoints with a waiting line, by when each may next release.
    public var waiting: String { "\(base):waiting" }

    /// The waiting line of one endpoint.
    public func waitingLine(endpoint: EndpointRef) -> String {
        waitingLine(member: endpoint.description)
    }

    /// The waiting line of the endpoint a member of ``waiting`` names (`<tenant>/<endpoint>`).
    public func waitingLine(member: String) -> String {
        "\(base):waiting:\(member)"
    }

    /// The shared token bucket of one endpoint.
    public func bucket(endpoint: EndpointRef) -> String {
        "\(base):bucket:\(endpoint.tenant)/\(endpoint.endpoint)"
    }
}
