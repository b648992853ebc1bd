// Raises the installation's recorded partition count (`{P}:v1:partitions`, see `Keyspace`).
//
//   KEYS[1]  {P}:v1:partitions   STRING (absent = 1)
//   ARGV[1]  the count the caller uses
//   returns  the recorded count after the call: the larger of the two
//
// Never lowers it: only `sluice partitions prune` does, after checking the partitions above the
// configured count are empty. A read-then-SET from the client would let two callers race and
// the smaller win.

enum PartitionCountScript {
    static let script = RedisScript(
        """
        local held = tonumber(redis.call('GET', KEYS[1]) or '1') or 1
        local wanted = tonumber(ARGV[1])
        if wanted > held then
          redis.call('SET', KEYS[1], ARGV[1])
          return wanted
        end
        return held
        """
    )
}
