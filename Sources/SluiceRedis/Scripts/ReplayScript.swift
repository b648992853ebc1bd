// The replay script: replaces one dead letter by fresh deliveries, once.
//
//   KEYS[1]  {P}:v1:dlq          STREAM
//   KEYS[2]  {P}:v1:deliveries   STREAM
//   ARGV     dead-letter-id, n, then per delivery: pair-count, name, value, …
//   returns  1 when replayed, 0 when the dead letter no longer exists (already replayed or
//            purged; nothing is written then)
//
// Checking and deleting the dead letter in the same script as the XADDs is what makes replay
// idempotent per dead-letter id.

enum ReplayScript {
    static let script = RedisScript(
        """
        if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then
          return 0
        end
        local n = tonumber(ARGV[2])
        local i = 3
        for _ = 1, n do
          local count = tonumber(ARGV[i])
          redis.call('XADD', KEYS[2], '*', unpack(ARGV, i + 1, i + 2 * count))
          i = i + 1 + 2 * count
        end
        redis.call('XDEL', KEYS[1], ARGV[1])
        return 1
        """
    )
}
