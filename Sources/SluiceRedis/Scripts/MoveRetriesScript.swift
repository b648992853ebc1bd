// The retry mover: puts due retries back on the deliveries stream.
//
//   KEYS[1]    {P}:v1:retry                 ZSET
//   KEYS[2]    {P}:v1:deliveries            STREAM
//   KEYS[3…]   {P}:v1:retry:<delivery-id>   HASH, one per candidate, in ARGV order
//   ARGV       now-ms, then the candidate delivery ids
//   returns    how many moved
//
// The candidates come from a ZRANGEBYSCORE just before, so that every key the script touches is
// declared in KEYS (Redis Cluster rule). The script re-checks each score: a candidate another
// mover already moved (score gone) or that was re-scheduled later is skipped, so two movers
// racing never move one retry twice. A score without its hash (cannot happen through these
// scripts) is dropped rather than retried forever.

enum MoveRetriesScript {
    static let script = RedisScript(
        """
        local now = tonumber(ARGV[1])
        local moved = 0
        for i = 2, #ARGV do
          local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if score and tonumber(score) <= now then
            local key = KEYS[i + 1]
            local fields = redis.call('HGETALL', key)
            if #fields > 0 then
              redis.call('XADD', KEYS[2], '*', unpack(fields))
              moved = moved + 1
            end
            redis.call('DEL', key)
            redis.call('ZREM', KEYS[1], ARGV[i])
          end
        end
        return moved
        """
    )
}
