/// What Redis must guarantee before the edge answers `202` (`redis.durability` in routes.yaml).
///
/// Redis 7.0 has no `WAITAOF`, so the edge cannot ask for one write to be on disk; instead it
/// checks how Redis is configured and refuses to accept while that does not match.
public enum RedisDurability: String, Sendable, Equatable, CaseIterable {
    /// `202` once Redis has applied the write. On disk as soon as Redis's own `appendfsync`
    /// setting puts it there (with `everysec`, a host crash can lose up to about a second).
    case write
    /// `202` only while Redis reports `appendonly yes` and `appendfsync always`, so a `202` means
    /// the event was fsynced to the AOF. Otherwise the edge is not ready and answers `503`.
    case fsync
}
