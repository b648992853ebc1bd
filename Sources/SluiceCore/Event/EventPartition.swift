/// Which of `redis.partitions` partitions an event belongs to.
///
/// Chosen from the webhook-id alone, so every retry of one event lands in the same partition
/// (its dedupe key and its stream entry are written by one script, in one hash slot), and
/// `sluice events show` finds an event without knowing its source. The hash is FNV-1a (64 bit)
/// of the id's UTF-8 bytes: stable across processes, versions and platforms, unlike Swift's
/// seeded `Hasher`, and even over ids that differ only in a counter.
public enum EventPartition {
    /// The most partitions routes.yaml accepts: every worker reads every partition, with a
    /// blocking read of its own for each.
    public static let maxCount = 64

    /// The partition (0..<count) of `webhookID`; always 0 when `count` is 1.
    public static func of(webhookID: String, count: Int) -> Int {
        guard count > 1 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in webhookID.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }
}
