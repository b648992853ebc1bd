// The complete script: settles a batch of claimed deliveries after their attempts (or without one).
//
//   KEYS[1]        {P}:v1:deliveries              STREAM (group `delivery`)
//   KEYS[2]        {P}:v1:retry                   ZSET
//   KEYS[3]        {P}:v1:dlq                     STREAM
//   KEYS[4]        {P}:v1:waiting                 ZSET
//   KEYS[3 + 2k]   {P}:v1:retry:<delivery-id>     HASH, of the k-th delivery (k = 1…n), or for
//                  {P}:v1:waiting:<t>/<e>         `wait` modes LIST, its endpoint's waiting line;
//                                                 for `delivered` and `dead_letter`, which write
//                                                 neither, any key of the partition (KEYS[2])
//   KEYS[4 + 2k]   {P}:v1:dedupe:<source>:<id>    STRING, the key of the k-th delivery's event
//   ARGV           group, retention-ms, n, then per delivery: stream-id, mode (`delivered` |
//                  `retry` | `dead_letter` | `wait` | `wait_front` | `hold` | `hold_front`),
//                  delivery-id (for the waiting modes the endpoint, "<tenant>/<endpoint>"; "" for
//                  `delivered` and `dead_letter`), due-ms, attempt line ("" = no
//                  attempt), pair-count, then the field pairs of the retry hash, dead letter or
//                  waiting delivery: name, value, …
//   returns        one integer per delivery, in order: 1 when settled, 0 when its entry was no
//                  longer pending (another worker settled or reclaimed and settled it; nothing is
//                  written for that delivery then)
//
// One script per batch rather than per delivery, and per batch one XCLAIM (`PendingGuard`), one
// XACK, one XDEL and one ZADD: what a batch costs Redis beyond each delivery's own writes does
// not grow with the batch. Each delivery still has its own guard: one another worker reclaimed
// and settled is no longer pending, so nothing is written for it. Attempt lines
// for one event (fan-out puts several in a batch) go in one APPEND to the event's key; its
// expiry is set only when that APPEND created it (the edge gave the key its expiry when it
// accepted the event), so an attempt costs one command. `retry` serves both a failed attempt and a parked delivery; only the
// fields differ, and Swift chooses them. `wait` puts the delivery in its endpoint's waiting line
// (`wait_front` at its head, for one released from it that must wait again) and schedules the
// line's release no later than due-ms (ZADD LT keeps an earlier release); `hold` does the same
// but postpones the release to due-ms if that is later (ZADD GT: an open circuit), and so does
// `wait_front`: a released delivery that is back means the endpoint still cannot take more, so
// the line backs off instead of being released again at once.

enum CompleteScript {
    static let script = RedisScript(
        PendingGuard.function + """
        local group, retention, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local waitModes = {wait = true, wait_front = true, hold = true, hold_front = true}
        local ids = {}
        local i = 4
        for k = 1, n do
          ids[k] = ARGV[i]
          i = i + 6 + 2 * tonumber(ARGV[i + 5])
        end
        local pending = stillPending(KEYS[1], group, ids)
        local settled, acked, scores = {}, {}, {}
        local logKeys, logs = {}, {}
        i = 4
        for k = 1, n do
          local id, mode, deliveryID, due, line = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
          local first, last = i + 6, i + 5 + 2 * tonumber(ARGV[i + 5])
          i = last + 1
          -- Cleared once used, so an id listed twice in one batch is settled once.
          if pending[id] then
            pending[id] = nil
            settled[k] = 1
            acked[#acked + 1] = id
            if mode == 'retry' then
              local key = KEYS[3 + 2 * k]
              redis.call('DEL', key)
              redis.call('HSET', key, unpack(ARGV, first, last))
              scores[#scores + 1] = due
              scores[#scores + 1] = deliveryID
            elseif mode == 'dead_letter' then
              redis.call('XADD', KEYS[3], '*', unpack(ARGV, first, last))
            elseif waitModes[mode] then
              local parts = {}
              for j = first, last do
                parts[#parts + 1] = #ARGV[j] .. ':' .. ARGV[j]
              end
              local front = string.sub(mode, -6) == '_front'
              redis.call(front and 'LPUSH' or 'RPUSH', KEYS[3 + 2 * k], table.concat(parts))
              local later = front or string.sub(mode, 1, 4) == 'hold'
              redis.call('ZADD', KEYS[4], later and 'GT' or 'LT', due, deliveryID)
            end
            if line ~= '' then
              local key = KEYS[4 + 2 * k]
              local lines = logs[key]
              if not lines then
                lines = {}
                logs[key] = lines
                logKeys[#logKeys + 1] = key
              end
              lines[#lines + 1] = line
            end
          else
            settled[k] = 0
          end
        end
        if #acked > 0 then
          redis.call('XACK', KEYS[1], group, unpack(acked))
          redis.call('XDEL', KEYS[1], unpack(acked))
        end
        if #scores > 0 then
          redis.call('ZADD', KEYS[2], unpack(scores))
        end
        for _, key in ipairs(logKeys) do
          local text = table.concat(logs[key], '\\n') .. '\\n'
          if redis.call('APPEND', key, text) == #text then
            redis.call('PEXPIRE', key, retention)
          end
        end
        return settled
        """
    )
}
