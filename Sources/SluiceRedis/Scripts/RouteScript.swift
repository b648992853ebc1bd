// The route script: expands a batch of ingress entries, each into its deliveries (or one
// `no_route` dead letter), records each event in its log, and acknowledges and deletes each
// ingress entry — each event all at once, so a router that dies between two Redis calls can
// neither lose an expansion nor write it twice.
//
//   KEYS[1]      {P}:v1:ingress               STREAM (group `router`)
//   KEYS[2]      {P}:v1:deliveries            STREAM
//   KEYS[3]      {P}:v1:dlq                   STREAM
//   KEYS[4]      {P}:v1:archive               STREAM (written only with a recovery window)
//   KEYS[5]      {P}:v1:event-index           STREAM (written only with an event index)
//   KEYS[5 + k]  {P}:v1:dedupe:<source>:<webhook-id>  STRING, the key of the k-th event (k = 1…n)
//   ARGV         group, retention-ms, n, archive-window-ms ("" = no archive: what one holds from
//                  before the window was turned off is deleted), index cap ("" = no
//                index), then per event:
//                  ingress-id,
//                  record line:   the event record (JSON, "" = none),
//                  deliveries:    count, then per delivery: pair-count, name, value, … — or, for
//                                 one that shares every field but its target with the event's
//                                 first delivery, 0, tenant, endpoint
//                  dead letters:  count, then per dead letter: pair-count, name, value, …
//                  archive:       count (0 or 1), then pair-count, name, value, …
//                  index:         count (0 or 1), then pair-count, name, value, …
//   returns      one integer per event, in order: 1 when routed, 0 when its ingress entry was no
//                longer pending (already routed by a router that owned it before; nothing is
//                written for that event then)
//
// One script per batch, and per batch one XCLAIM (`PendingGuard`), one XACK and one XDEL: what
// a batch costs Redis beyond each event's own writes (its deliveries and its record) does not
// grow with the batch. The guard is per event all the same: an entry another router already
// routed is no longer pending, so nothing is written for it. The record is appended to the
// event's key as a line (its first, unless the event is routed again, as a replayed `no_route`
// is): one APPEND, which keeps the expiry the edge gave the key. Only a key that no longer
// existed (its event waited longer than the retention) gets an expiry here.
//
// With `worker.recovery_window`, each event that has deliveries is also appended to the archive
// in the same script — so an event is never routed without its archive entry; its log gets a
// line `{"archive":"<entry id>"}` after the record, so its body can be found — and the archive
// is trimmed to the window by Redis's clock, which its entry ids come from (XTRIM MINID, exact:
// it removes only what fell out), once per call.
//
// An event's deliveries differ only in their tenant and endpoint, so after the first one each is
// sent as those two values: at fan-out ×10 that is nine tenths fewer arguments for Redis to hand
// to Lua and for the router to write. The script keeps the first one's XADD as a table and
// changes the two values in it for each of the others (a table only when there are others: for
// a single delivery it costs more than it saves).
//
// With `worker.event_index` (on by default), each routed event also gets a small entry in the
// search index — its id, source, type and targets — capped by XADD's own `MAXLEN ~`, so the
// index costs one command per event and no separate trim.
//
// The `#!lua` line (Redis 7 script flags, none given) makes Redis refuse the whole script while
// it is over `maxmemory`, like a command that may grow memory: without it Redis checks memory
// only at a script's first write, and the guard's XCLAIM — a write that never grows memory —
// let every later write through, so routers went on turning waiting events into deliveries (×
// their fan-out) past the limit while the edge refused new ones. Refused, the router holds the
// batch and tries again; the deliveries already made drain meanwhile.

enum RouteScript {
    static let script = RedisScript(
        "#!lua\n" + PendingGuard.function + ArchiveTrim.function + """
        local group, retention, n, archiveWindow, indexCap = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
        local ids, starts = {}, {}
        local i = 6
        for k = 1, n do
          ids[k], starts[k] = ARGV[i], i
          i = i + 2
          for _ = 1, 4 do
            local count = tonumber(ARGV[i])
            i = i + 1
            for _ = 1, count do
              local pairCount = tonumber(ARGV[i])
              -- 0: a delivery given as its tenant and endpoint only.
              i = i + 1 + (pairCount == 0 and 2 or 2 * pairCount)
            end
          end
        end
        local pending = stillPending(KEYS[1], group, ids)
        local acked = {}
        for k = 1, n do
          local id = ids[k]
          -- Cleared once used, so an id listed twice in one batch is routed once.
          local routed = pending[id] == true
          pending[id] = nil
          i = starts[k] + 1
          local record = ARGV[i]
          i = i + 1
          local archived = nil
          local count = tonumber(ARGV[i])
          i = i + 1
          -- The first delivery's XADD as a table, with where its tenant and endpoint are in it.
          local shared, tenantAt, endpointAt
          for d = 1, count do
            local pairCount = tonumber(ARGV[i])
            if pairCount == 0 then
              if routed then
                shared[tenantAt], shared[endpointAt] = ARGV[i + 1], ARGV[i + 2]
                redis.call(unpack(shared))
              end
              i = i + 3
            else
              local last = i + 2 * pairCount
              if routed then
                if d == 1 and count > 1 then
                  shared = {'XADD', KEYS[2], '*', unpack(ARGV, i + 1, last)}
                  for j = 4, #shared, 2 do
                    if shared[j] == 'tenant' then tenantAt = j + 1 elseif shared[j] == 'endpoint' then endpointAt = j + 1 end
                  end
                  redis.call(unpack(shared))
                else
                  redis.call('XADD', KEYS[2], '*', unpack(ARGV, i + 1, last))
                end
              end
              i = last + 1
            end
          end
          for list, key in ipairs({KEYS[3], KEYS[4], KEYS[5]}) do
            local count = tonumber(ARGV[i])
            i = i + 1
            for _ = 1, count do
              local last = i + 2 * tonumber(ARGV[i])
              if routed then
                if list == 3 then
                  redis.call('XADD', key, 'MAXLEN', '~', indexCap, '*', unpack(ARGV, i + 1, last))
                else
                  local added = redis.call('XADD', key, '*', unpack(ARGV, i + 1, last))
                  if list == 2 then archived = added end
                end
              end
              i = last + 1
            end
          end
          if routed then
            acked[#acked + 1] = id
            if record ~= '' then
              local line = record .. '\\n'
              if archived then
                -- Where the archive keeps its body, for `events show` and the console.
                line = line .. '{"archive":"' .. archived .. '"}\\n'
              end
              if redis.call('APPEND', KEYS[5 + k], line) == #line then
                redis.call('PEXPIRE', KEYS[5 + k], retention)
              end
            end
          end
          ids[k] = routed and 1 or 0
        end
        if #acked > 0 then
          redis.call('XACK', KEYS[1], group, unpack(acked))
          redis.call('XDEL', KEYS[1], unpack(acked))
        end
        if archiveWindow ~= '' then
          trimArchive(KEYS[4], archiveWindow)
        else
          -- The window is off: an archive kept from before would hold bodies past any window and
          -- still feed `sluice replay`.
          redis.call('DEL', KEYS[4])
        end
        return ids
        """
    )
}
