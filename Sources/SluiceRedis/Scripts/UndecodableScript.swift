// The undecodable script: moves stream entries whose fields Sluice cannot read (written by
// something else, or damaged) to the dead letters, so they are neither dropped silently nor
// reclaimed for ever.
//
//   KEYS[1]  {P}:v1:ingress or {P}:v1:deliveries   STREAM (its group in ARGV[1])
//   KEYS[2]  {P}:v1:dlq                            STREAM
//   ARGV     group, stream name for the record (`ingress` | `deliveries`), now-ms, then the entry ids
//   returns  how many were moved
//
// Each entry still pending (the same guard as the route and complete scripts) is copied, every
// field kept under `raw:<name>`, to a dead letter with reason `undecodable`, then acknowledged
// and deleted with one XACK and one XDEL.

enum UndecodableScript {
    static let script = RedisScript(
        PendingGuard.function + """
        local group, stream, now = ARGV[1], ARGV[2], ARGV[3]
        local ids = {}
        for i = 4, #ARGV do ids[#ids + 1] = ARGV[i] end
        local pending = stillPending(KEYS[1], group, ids)
        local moved = {}
        for _, id in ipairs(ids) do
          if pending[id] then
            pending[id] = nil
            local record = {'reason', 'undecodable', 'attempts', '0', 'dead_lettered_at', now,
              'undecodable_stream', stream, 'undecodable_id', id}
            local entry = redis.call('XRANGE', KEYS[1], id, id)[1]
            if entry then
              local fields = entry[2]
              for j = 1, #fields - 1, 2 do
                record[#record + 1] = 'raw:' .. fields[j]
                record[#record + 1] = fields[j + 1]
              end
            end
            redis.call('XADD', KEYS[2], '*', unpack(record))
            moved[#moved + 1] = id
          end
        end
        if #moved > 0 then
          redis.call('XACK', KEYS[1], group, unpack(moved))
          redis.call('XDEL', KEYS[1], unpack(moved))
        end
        return #moved
        """
    )
}
