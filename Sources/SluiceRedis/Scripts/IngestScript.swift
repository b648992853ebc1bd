// The ingest script: records a webhook-id for the dedupe window and appends the event to the
// ingress stream, atomically (a Lua script runs without interleaving).
//
//   KEYS[1]  {P}:v1:dedupe:<source>:<webhook-id>   STRING, value = the stream id, PX = window
//   KEYS[2]  {P}:v1:ingress                        STREAM
//   ARGV     window-ms, webhook-id, source, channel ("" = none), type, webhook-timestamp,
//            received-at-ms, raw body
//   returns  the new stream id, or false (nil) when the webhook-id was already recorded
//
// The XADD comes before the SET: Redis refuses a script's first write when it is out of memory
// (or read-only), and a refused XADD leaves nothing behind, whereas a dedupe key written before a
// failed XADD would turn the sender's retry into a "duplicate" of an event that was never stored.
// Both keys carry the same hash tag, so the script touches one slot.

enum IngestScript {
    static let script = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 1 then
          return false
        end
        local id = redis.call('XADD', KEYS[2], '*',
          'id', ARGV[2], 'source', ARGV[3], 'channel', ARGV[4], 'type', ARGV[5],
          'ts', ARGV[6], 'received_at', ARGV[7], 'body', ARGV[8])
        redis.call('SET', KEYS[1], id, 'PX', ARGV[1])
        return id
        """
    )
}
