// The ingest script: for each of one or more events, records its webhook-id for the dedupe window
// and appends it to the ingress stream, atomically (a Lua script runs without interleaving).
//
//   KEYS[1]      {P}:v1:ingress                        STREAM
//   KEYS[1 + k]  {P}:v1:dedupe:<source>:<webhook-id>   STRING, the k-th event's key: dedupe marker and log
//   ARGV[1]      replicated ("1" under `durability: replicated`, else "0")
//   ARGV         then per event, nine values: window-ms, webhook-id, source, channel ("" = none),
//                type, webhook-timestamp, received-at-ms, raw body, keep-ms (the larger of the
//                window and the log retention)
//   returns      one reply per event, in order: the new stream id, or false (nil) when the
//                webhook-id was already accepted within the window — also by an earlier event
//                of the same call
//
// The edge sends every event that arrived on one event loop in one tick in one call: the call's
// fixed cost (EVALSHA, running a script, its reply) is then shared, and each event is handled
// exactly as alone, in order.
//
// The event's key starts with the time the event was accepted (unix ms, ASCII digits); the
// router and the complete script append the event's log lines after it (read back by `WorkerStore.eventLog`). One key
// serves dedupe and `events show`, so the router records an event with one APPEND and no expiry
// of its own: the key already lives for `keep-ms`.
//
// Two commands and no read for a new webhook-id: `SET … NX` is both the dedupe check and the
// script's first write. Redis refuses a script's writes for lack of memory (or on a read-only
// replica) only up to its first successful write, so either the first event's SET is refused and
// nothing is written, or it went through and no write after it can be refused — a key never
// exists without its stream entry, and a sender's retry is never taken for a duplicate of an
// event that was not stored. When the key exists, the time at its head decides: inside the window
// the event is a duplicate; past it (the log outlives the window) the event is accepted again and its
// new time replaces the old at the head, keeping the log. Markers written by earlier versions
// hold the time alone and read the same way. Every key carries the partition's hash tag, so the
// script touches one slot.
//
// Under `durability: replicated` the edge follows the script with `WAIT`, which covers only
// writes its own connection made. A duplicate writes nothing, so it rewrites the key as it is
// (`SET … KEEPTTL`): replication is one ordered stream, so once that write reached the replicas
// the original event (written before it, by whichever connection) did too, and the sender is
// not told "duplicate" about an event a failover could still lose.

enum IngestScript {
    static let script = RedisScript(
        """
        local replicated = ARGV[1] == '1'
        local results = {}
        for k = 1, #KEYS - 1 do
          local key, a = KEYS[1 + k], 1 + (k - 1) * 9
          local now, keep = ARGV[a + 7], ARGV[a + 9]
          local duplicate = false
          if not redis.call('SET', key, now, 'NX', 'PX', keep) then
            local held = redis.call('GET', key)
            local head = string.match(held, '^%d*')
            local accepted = tonumber(head)
            if accepted and tonumber(now) - accepted < tonumber(ARGV[a + 1]) then
              if replicated then
                redis.call('SET', key, held, 'KEEPTTL')
              end
              duplicate = true
            else
              redis.call('SET', key, now .. string.sub(held, #head + 1), 'PX', keep)
            end
          end
          if duplicate then
            results[k] = false
          else
            results[k] = redis.call('XADD', KEYS[1], '*',
              'id', ARGV[a + 2], 'source', ARGV[a + 3], 'channel', ARGV[a + 4], 'type', ARGV[a + 5],
              'ts', ARGV[a + 6], 'received_at', now, 'body', ARGV[a + 8])
          end
        end
        return results
        """
    )
}
