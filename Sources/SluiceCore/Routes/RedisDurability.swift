/// What Redis must guarantee before the edge answers `202` (`redis.durability` in routes.yaml).
///
/// Redis 7.0 has no `WAITAOF`, so the edge cannot ask for one write to be on disk; instead it
/// checks how Redis is configured and refuses to accept while that does not match. Every mode
/// but `none` also refuses while Redis may evict keys (a `maxmemory` with a policy other than
/// `noeviction`): an evicted stream or retry key is lost work.
public enum RedisDurability: String, Sendable, Equatable, CaseIterable {
    /// `202` once Redis has applied the write, and only while Redis runs with `appendonly yes`:
    /// on disk as soon as Redis's own `appendfsync` setting puts it there (with `everysec`, a
    /// host crash can lose up to about a second).
    case write
    /// `202` only while Redis reports `appendonly yes` and `appendfsync always`, so a `202` means
    /// the event was fsynced to the AOF. Otherwise the edge is not ready and answers `503`.
    case fsync
    /// `202` only once `WAIT` confirms the write reached `redis.replicas` replicas (within
    /// `redis.replica_timeout`; otherwise `503`), and only while Redis runs with `appendonly yes`
    /// and has that many replicas connected. Redis replication is asynchronous: without this, a
    /// `202` from a master that dies before replicating is lost when a replica takes over.
    case replicated
    /// `202` once Redis has applied the write in memory, with no check of its persistence: a
    /// Redis restart without an AOF loses every accepted event, retry and dead letter. For
    /// throwaway setups only.
    case none
}
