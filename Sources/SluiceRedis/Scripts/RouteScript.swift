// The route script: expands a batch of ingress entries, each into its deliveries (or one
// `no_route` dead letter), records each event in its log, and acknowledges and deletes each
// ingress entry — each event all at once, so a router that dies between two Redis calls can
// neither lose an expansion nor write it twice.
//
//   KEYS[1]      {P}:v1:ingress               STREAM (group `router`)
//   KEYS[2]      {P}:v1:deliveries            STREAM
//   KEYS[3]      {P}:v1:dlq                   STREAM
//   KEYS[3 + k]  {P}:v1:attempts:<webhook-id> LIST, the log of the k-th event (k = 1…n)
//   ARGV         group, retention-ms, n, then per event:
//                  ingress-id,
//                  record line:   the event record (JSON, "" = none),
//                  deliveries:    count, then per delivery: pair-count, name, value, …
//                  dead letters:  count, then per dead letter: pair-count, name, value, …
//   returns      one integer per event, in order: 1 when routed, 0 when its ingress entry was no
//                longer pending (already routed by a router that owned it before; nothing is
//                written for that event then)
//
// One script per batch, and per batch one XCLAIM, one XACK and one XDEL: what a batch costs
// Redis beyond each event's own writes (its deliveries and its record) does not grow with the
// batch. The guard is per event all the same: `XCLAIM … JUSTID` with an idle time of 0 returns
// exactly the ids that are still pending (an entry another router already routed is
// acknowledged and deleted, so it is not returned), moving them to the `sluice-settle` consumer
// for the moment before this script's XACK takes them out of the group. XCLAIM is the first
// write; Redis refuses a script's writes for lack of memory only up to its first one, so the
// rest cannot be refused half-way. The record goes to the head of the event's log and refreshes
// the log's expiry to the retention.

enum RouteScript {
    static let script = RedisScript(
        """
        local group, retention, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local ids, starts = {}, {}
        local i = 4
        for k = 1, n do
          ids[k], starts[k] = ARGV[i], i
          i = i + 2
          for _ = 1, 2 do
            local count = tonumber(ARGV[i])
            i = i + 1
            for _ = 1, count do
              i = i + 1 + 2 * tonumber(ARGV[i])
            end
          end
        end
        local claim = {'XCLAIM', KEYS[1], group, 'sluice-settle', 0}
        for k = 1, n do
          claim[5 + k] = ids[k]
        end
        claim[#claim + 1] = 'JUSTID'
        local pending = {}
        for _, id in ipairs(redis.call(unpack(claim))) do
          pending[id] = true
        end
        local acked = {}
        for k = 1, n do
          local id = ids[k]
          -- Cleared once used, so an id listed twice in one batch is routed once.
          local routed = pending[id] == true
          pending[id] = nil
          i = starts[k] + 1
          local record = ARGV[i]
          i = i + 1
          for _, key in ipairs({KEYS[2], KEYS[3]}) do
            local count = tonumber(ARGV[i])
            i = i + 1
            for _ = 1, count do
              local last = i + 2 * tonumber(ARGV[i])
              if routed then
                redis.call('XADD', key, '*', unpack(ARGV, i + 1, last))
              end
              i = last + 1
            end
          end
          if routed then
            acked[#acked + 1] = id
            if record ~= '' then
              redis.call('RPUSH', KEYS[3 + k], record)
              redis.call('PEXPIRE', KEYS[3 + k], retention)
            end
          end
          ids[k] = routed and 1 or 0
        end
        if #acked > 0 then
          redis.call('XACK', KEYS[1], group, unpack(acked))
          redis.call('XDEL', KEYS[1], unpack(acked))
        end
        return ids
        """
    )
}
