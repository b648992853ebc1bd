// The ingest script: records a webhook-id for the dedupe window and appends the event to the
// ingress stream, atomically (a Lua script runs without interleaving).
//
//   KEYS[1]  {P}:v1:dedupe:<source>:<webhook-id>   STRING, value = received-at ms, PX = window
//   KEYS[2]  {P}:v1:ingress                        STREAM
//   ARGV     window-ms, webhook-id, source, channel ("" = none), type, webhook-timestamp,
//            received-at-ms, raw body
//   returns  the new stream id, or false (nil) when the webhook-id was already recorded
//
// Two commands and no read: `SET … NX` is both the dedupe check and the script's first write.
// Redis refuses a script's writes for lack of memory (or on a read-only replica) only up to its
// first successful write, so either the SET is refused and nothing is written, or it went
// through and the XADD after it cannot be refused — a dedupe marker never exists without its
// stream entry, and a sender's retry is never taken for a duplicate of an event that was not
// stored. Both keys carry the same hash tag, so the script touches one slot.

enum IngestScript {
    static let script = RedisScript(
        """
        if not redis.call('SET', KEYS[1], ARGV[7], 'NX', 'PX', ARGV[1]) then
          return false
        end
        return redis.call('XADD', KEYS[2], '*',
          'id', ARGV[2], 'source', ARGV[3], 'channel', ARGV[4], 'type', ARGV[5],
          'ts', ARGV[6], 'received_at', ARGV[7], 'body', ARGV[8])
        """
    )
}
