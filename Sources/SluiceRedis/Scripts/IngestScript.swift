// The ingest script: records a webhook-id for the dedupe window and appends the event to the
// ingress stream, atomically (a Lua script runs without interleaving).
//
//   KEYS[1]  {P}:v1:dedupe:<source>:<webhook-id>   STRING, the event's key: dedupe marker and log
//   KEYS[2]  {P}:v1:ingress                        STREAM
//   ARGV     window-ms, webhook-id, source, channel ("" = none), type, webhook-timestamp,
//            received-at-ms, raw body, keep-ms (the larger of the window and the log retention),
//            replicated ("1" under `durability: replicated`, else "0")
//   returns  the new stream id, or false (nil) when the webhook-id was already accepted within
//            the window
//
// The event's key starts with the time the event was accepted (unix ms, ASCII digits); the
// router and the complete script append the event's log lines after it (read back by `WorkerStore.eventLog`). One key
// serves dedupe and `events show`, so the router records an event with one APPEND and no expiry
// of its own: the key already lives for `keep-ms`.
//
// Two commands and no read for a new webhook-id: `SET … NX` is both the dedupe check and the
// script's first write. Redis refuses a script's writes for lack of memory (or on a read-only
// replica) only up to its first successful write, so either the SET is refused and nothing is
// written, or it went through and the XADD after it cannot be refused — a key never exists
// without its stream entry, and a sender's retry is never taken for a duplicate of an event
// that was not stored. When the key exists, the time at its head decides: inside the window the
// call is a duplicate; past it (the log outlives the window) the event is accepted again and its
// new time replaces the old at the head, keeping the log. Markers written by earlier versions
// hold the time alone and read the same way. Both keys carry the same hash tag, so the script
// touches one slot.
//
// Under `durability: replicated` the edge follows the script with `WAIT`, which covers only
// writes its own connection made. A duplicate writes nothing, so it rewrites the key as it is
// (`SET … KEEPTTL`): replication is one ordered stream, so once that write reached the replicas
// the original event (written before it, by whichever connection) did too, and the sender is
// not told "duplicate" about an event a failover could still lose.

enum IngestScript {
    static let script = RedisScript(
        """
        if not redis.call('SET', KEYS[1], ARGV[7], 'NX', 'PX', ARGV[9]) then
          local held = redis.call('GET', KEYS[1])
          local head = string.match(held, '^%d*')
          local accepted = tonumber(head)
          if accepted and tonumber(ARGV[7]) - accepted < tonumber(ARGV[1]) then
            if ARGV[10] == '1' then
              redis.call('SET', KEYS[1], held, 'KEEPTTL')
            end
            return false
          end
          redis.call('SET', KEYS[1], ARGV[7] .. string.sub(held, #head + 1), 'PX', ARGV[9])
        end
        return redis.call('XADD', KEYS[2], '*',
          'id', ARGV[2], 'source', ARGV[3], 'channel', ARGV[4], 'type', ARGV[5],
          'ts', ARGV[6], 'received_at', ARGV[7], 'body', ARGV[8])
        """
    )
}
