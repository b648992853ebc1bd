// The route script: expands one ingress entry into its deliveries (or one `no_route` dead
// letter), records the event, and acknowledges and deletes the ingress entry — all at once, so a
// router that dies between two Redis calls can neither lose the expansion nor write it twice.
//
//   KEYS[1]  {P}:v1:ingress            STREAM (group `router`)
//   KEYS[2]  {P}:v1:deliveries         STREAM
//   KEYS[3]  {P}:v1:dlq                STREAM
//   KEYS[4]  {P}:v1:event:<webhook-id> HASH
//   ARGV     ingress-id, group, retention-ms,
//            event record:  pair-count, name, value, …
//            deliveries:    n, then per delivery: pair-count, name, value, …
//            dead letters:  n, then per dead letter: pair-count, name, value, …
//   returns  1 when routed, 0 when the ingress entry was no longer pending (already routed by
//            a worker that owned it before; nothing is written then)
//
// XACK is the first write and the guard: an entry reclaimed after its routing committed is not
// pending any more, so the replay changes nothing. Redis checks memory before a script's first
// write only, so once XACK is through the rest cannot be refused half-way.

enum RouteScript {
    static let script = RedisScript(
        """
        if redis.call('XACK', KEYS[1], ARGV[2], ARGV[1]) == 0 then
          return 0
        end
        local i = 4
        local recordPairs = tonumber(ARGV[i])
        local record = {}
        for j = i + 1, i + 2 * recordPairs do record[#record + 1] = ARGV[j] end
        i = i + 1 + 2 * recordPairs
        for _, key in ipairs({KEYS[2], KEYS[3]}) do
          local n = tonumber(ARGV[i])
          i = i + 1
          for _ = 1, n do
            local count = tonumber(ARGV[i])
            redis.call('XADD', key, '*', unpack(ARGV, i + 1, i + 2 * count))
            i = i + 1 + 2 * count
          end
        end
        if #record > 0 then
          redis.call('DEL', KEYS[4])
          redis.call('HSET', KEYS[4], unpack(record))
          redis.call('PEXPIRE', KEYS[4], ARGV[3])
        end
        redis.call('XDEL', KEYS[1], ARGV[1])
        return 1
        """
    )
}
