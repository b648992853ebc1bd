// What work a partition holds, read in one go for `sluice partitions prune`.
//
//   KEYS[1]    {P}:v1:ingress                       STREAM
//   KEYS[2]    {P}:v1:deliveries                    STREAM
//   KEYS[3]    {P}:v1:retry                         ZSET
//   KEYS[4]    {P}:v1:dlq                           STREAM
//   KEYS[5]    {P}:v1:waiting                       ZSET (member "<tenant>/<endpoint>")
//   KEYS[6…]   {P}:v1:waiting:<tenant>/<endpoint>   LIST, one per member in ARGV order
//   ARGV       the members of KEYS[5] read just before
//   returns    {ingress, deliveries, retries, dead letters, waiting}; a line whose member
//              joined the set after the ZRANGE counts as one waiting delivery (it holds at least
//              one), so the count can be low then, but is never 0 while a line holds any
//
// Work moves between these keys (a due retry or a released waiting line back onto the
// deliveries stream, a replayed dead letter): read one by one, a delivery moved from a key read
// later to one read earlier is seen in neither, and prune would drop a partition that still holds
// it. A script reads them all at one instant. The lines come from a ZRANGE just before so that
// every key is declared (Redis Cluster rule); a non-empty line always has its member in the set
// (the scripts that push and pop a line keep both together).

enum PartitionWorkScript {
    static let script = RedisScript(
        """
        local given = {}
        for i = 1, #ARGV do given[ARGV[i]] = KEYS[5 + i] end
        local waiting = 0
        for _, member in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do
          local line = given[member]
          waiting = waiting + (line and redis.call('LLEN', line) or 1)
        end
        return {
          redis.call('XLEN', KEYS[1]), redis.call('XLEN', KEYS[2]), redis.call('ZCARD', KEYS[3]),
          redis.call('XLEN', KEYS[4]), waiting
        }
        """
    )
}
