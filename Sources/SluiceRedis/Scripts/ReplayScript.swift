// The replay script: replaces one dead letter by fresh deliveries, once.
//
//   KEYS[1]  {P}:v1:dlq                             STREAM
//   KEYS[2]  {P}:v1:deliveries                      STREAM
//   KEYS[3]  {P}:v1:archive                         STREAM (written only for an archived replay)
//   KEYS[4]  {P}:v1:dedupe:<source>:<webhook-id>    STRING, the event's key (its log)
//   ARGV     dead-letter-id, n, then per delivery: pair-count, name, value, …; then the
//            archive: count (0 or 1), then pair-count, name, value, …; then the recovery
//            window in ms ("" with no archive entry)
//   returns  1 when replayed, 0 when the dead letter no longer exists (already replayed or
//            purged; nothing is written then)
//
// Checking and deleting the dead letter in the same script as the XADDs is what makes replay
// idempotent per dead-letter id.
//
// A `no_route` event was never archived (it had no deliveries when it was routed). Replayed to
// endpoints under `worker.recovery_window`, it is archived here as the route script would have:
// one archive entry with its targets, a `{"archive":"<id>"}` line in its log (when the log still
// exists; one that expired is not recreated without its expiry), and the archive trimmed to the
// window by Redis's clock. `sluice replay --endpoint` then finds it like any routed event.

enum ReplayScript {
    static let script = RedisScript(
        ArchiveTrim.function + """
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
        if tonumber(ARGV[i]) == 1 then
          local count = tonumber(ARGV[i + 1])
          local archived = redis.call('XADD', KEYS[3], '*', unpack(ARGV, i + 2, i + 1 + 2 * count))
          if redis.call('EXISTS', KEYS[4]) == 1 then
            redis.call('APPEND', KEYS[4], '{"archive":"' .. archived .. '"}\\n')
          end
          trimArchive(KEYS[3], ARGV[#ARGV])
        end
        redis.call('XDEL', KEYS[1], ARGV[1])
        return 1
        """
    )
}
