import SluiceCore

// The release script: lets deliveries out of their endpoints' waiting lines, at each endpoint's
// rate, back onto the deliveries stream.
//
//   KEYS[1]        {P}:v1:waiting                       ZSET (member "<tenant>/<endpoint>")
//   KEYS[2]        {P}:v1:deliveries                    STREAM
//   KEYS[1 + 2k]   {P}:v1:waiting:<tenant>/<endpoint>   LIST, the k-th endpoint's line (k = 1…n)
//   KEYS[2 + 2k]   {P}:v1:bucket:<tenant>/<endpoint>    HASH, its token bucket
//   ARGV           now-ms, n, then per endpoint: member, capacity (0 = no rate limit), period-ms,
//                  most to release, ms until the next release when there is no rate limit
//   returns        how many deliveries were released
//
// The candidates come from a ZRANGEBYSCORE just before, so every key is declared (Redis Cluster
// rule); the script re-checks each score, so two workers' movers racing release a line once.
// A rate-limited line takes the endpoint's tokens for what it releases (`takeTokens`, the same
// bucket every attempt draws from) and is scheduled again for when the next token is there, so a
// backlog of any size costs Redis work at the endpoint's rate, not the backlog's. Released
// deliveries carry `released` = 1: their attempt takes no second token, and one that must wait
// again rejoins the line at the front. Elements are `<byte length>:<bytes>` per field (written by
// the complete script's `wait` mode).

enum ReleaseWaitingScript {
    static let script = RedisScript(
        TokenBucket.luaFunction + """
        local now, n = tonumber(ARGV[1]), tonumber(ARGV[2])
        local released = 0
        local function fields(element)
          local out, pos = {}, 1
          while pos <= #element do
            local colon = string.find(element, ':', pos, true)
            local length = tonumber(string.sub(element, pos, colon - 1))
            out[#out + 1] = string.sub(element, colon + 1, colon + length)
            pos = colon + length + 1
          end
          out[#out + 1] = 'released'
          out[#out + 1] = '1'
          return out
        end
        for k = 1, n do
          local base = 3 + 5 * (k - 1)
          local member, capacity, period = ARGV[base], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
          local most, idle = tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
          local line, bucket = KEYS[1 + 2 * k], KEYS[2 + 2 * k]
          local score = redis.call('ZSCORE', KEYS[1], member)
          if score and tonumber(score) <= now then
            local waiting = redis.call('LLEN', line)
            local take, wait = math.min(waiting, most), idle
            if capacity > 0 and take > 0 then
              take, wait = takeTokens(bucket, capacity, period, now, take)
            end
            if take > 0 then
              for _, element in ipairs(redis.call('LPOP', line, take)) do
                redis.call('XADD', KEYS[2], '*', unpack(fields(element)))
              end
              released = released + take
            end
            if waiting - take > 0 then
              redis.call('ZADD', KEYS[1], string.format('%d', now + math.max(1, wait)), member)
            else
              redis.call('ZREM', KEYS[1], member)
            end
          end
        end
        return released
        """
    )
}
