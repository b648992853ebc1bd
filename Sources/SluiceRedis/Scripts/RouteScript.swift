// The route script: expands a batch of ingress entries, each into its deliveries (or one
// `no_route` dead letter), records each event, and acknowledges and deletes each ingress entry —
// each event all at once, so a router that dies between two Redis calls can neither lose an
// expansion nor write it twice.
//
//   KEYS[1]      {P}:v1:ingress            STREAM (group `router`)
//   KEYS[2]      {P}:v1:deliveries         STREAM
//   KEYS[3]      {P}:v1:dlq                STREAM
//   KEYS[3 + k]  {P}:v1:event:<webhook-id> HASH, of the k-th event (k = 1…n)
//   ARGV         group, retention-ms, n, then per event:
//                  ingress-id,
//                  event record:  pair-count, name, value, …
//                  deliveries:    count, then per delivery: pair-count, name, value, …
//                  dead letters:  count, then per dead letter: pair-count, name, value, …
//   returns      one integer per event, in order: 1 when routed, 0 when its ingress entry was no
//                longer pending (already routed by a router that owned it before; nothing is
//                written for that event then)
//
// One script per batch rather than per event: a script call costs Redis more than a few of the
// commands inside it. Each event's XACK is its guard: an entry reclaimed after its routing
// committed is not pending any more, so the replay changes nothing. The first XACK is the
// script's first write; Redis checks memory before that only, so once it is through the rest
// cannot be refused half-way. The acknowledged entries go in one XDEL at the end.

enum RouteScript {
    static let script = RedisScript(
        """
        local group, retention, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local routed, acked = {}, {}
        local i = 4
        for k = 1, n do
          local id = ARGV[i]
          local pending = redis.call('XACK', KEYS[1], group, id) == 1
          routed[k] = pending and 1 or 0
          local recordFirst, recordLast = i + 2, i + 1 + 2 * tonumber(ARGV[i + 1])
          i = recordLast + 1
          for _, key in ipairs({KEYS[2], KEYS[3]}) do
            local count = tonumber(ARGV[i])
            i = i + 1
            for _ = 1, count do
              local last = i + 2 * tonumber(ARGV[i])
              if pending then
                redis.call('XADD', key, '*', unpack(ARGV, i + 1, last))
              end
              i = last + 1
            end
          end
          if pending then
            acked[#acked + 1] = id
            if recordLast >= recordFirst then
              local key = KEYS[3 + k]
              redis.call('DEL', key)
              redis.call('HSET', key, unpack(ARGV, recordFirst, recordLast))
              redis.call('PEXPIRE', key, retention)
            end
          end
        end
        if #acked > 0 then
          redis.call('XDEL', KEYS[1], unpack(acked))
        end
        return routed
        """
    )
}
