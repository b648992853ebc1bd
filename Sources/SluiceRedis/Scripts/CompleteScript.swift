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
//   returns        one reply per delivery, in order: 1 when settled, 0 when its entry was no
//                  longer pending (another worker settled or reclaimed and settled it; nothing is
//                  written for that delivery then), or the error reply Redis gave its writes (a
//                  key of the wrong type, say): it is left pending, unacknowledged, with nothing
//                  of it kept, and the rest of the batch is settled
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
//
// Redis does not roll back a script that fails half-way, so each delivery's writes run under
// `pcall`: one that Redis refuses is not acknowledged and its attempt line is not written, while
// the batch's other deliveries are settled and acknowledged as usual. Failing the whole script
// instead would leave the deliveries before it written but still pending, and settling them again
// would write their dead letters and waiting-line entries twice. A wait mode schedules its line's
// release before pushing, so a refused push leaves only a release of a line without it; a retry
// set that refuses the batch's ZADD un-settles the batch's retries and deletes their hashes. An
// attempt line Redis refuses (the event's key holds something else) is noted in Redis's log; it
// does not undo a settlement already acknowledged.

enum CompleteScript {
    static let script = RedisScript(
        PendingGuard.function + """
        local group, retention, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local waitModes = {wait = true, wait_front = true, hold = true, hold_front = true}
        local function refusal(err)
          if type(err) == 'table' and err.err then return err end
          return redis.error_reply(tostring(err))
        end
        local function write(k, mode, deliveryID, due, first, last)
          if mode == 'retry' then
            local key = KEYS[3 + 2 * k]
            redis.call('DEL', key)
            redis.call('HSET', key, unpack(ARGV, first, last))
          elseif mode == 'dead_letter' then
            redis.call('XADD', KEYS[3], '*', unpack(ARGV, first, last))
          elseif waitModes[mode] then
            local parts = {}
            for j = first, last do
              parts[#parts + 1] = #ARGV[j] .. ':' .. ARGV[j]
            end
            local front = string.sub(mode, -6) == '_front'
            local later = front or string.sub(mode, 1, 4) == 'hold'
            redis.call('ZADD', KEYS[4], later and 'GT' or 'LT', due, deliveryID)
            redis.call(front and 'LPUSH' or 'RPUSH', KEYS[3 + 2 * k], table.concat(parts))
          end
        end
        local ids = {}
        local i = 4
        for k = 1, n do
          ids[k] = ARGV[i]
          i = i + 6 + 2 * tonumber(ARGV[i + 5])
        end
        local pending = stillPending(KEYS[1], group, ids)
        local settled, lines, scores, retries = {}, {}, {}, {}
        i = 4
        for k = 1, n do
          local id, mode, deliveryID, due = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
          lines[k] = ARGV[i + 4]
          local first, last = i + 6, i + 5 + 2 * tonumber(ARGV[i + 5])
          i = last + 1
          -- Cleared once used, so an id listed twice in one batch is settled once.
          if pending[id] then
            pending[id] = nil
            local ok, err = true, nil
            if mode ~= 'delivered' then
              ok, err = pcall(write, k, mode, deliveryID, due, first, last)
            end
            if ok then
              settled[k] = 1
              if mode == 'retry' then
                scores[#scores + 1] = due
                scores[#scores + 1] = deliveryID
                retries[#retries + 1] = k
              end
            else
              settled[k] = refusal(err)
            end
          else
            settled[k] = 0
          end
        end
        if #scores > 0 then
          local ok, err = pcall(redis.call, 'ZADD', KEYS[2], unpack(scores))
          if not ok then
            for _, k in ipairs(retries) do
              settled[k] = refusal(err)
              redis.call('DEL', KEYS[3 + 2 * k])
            end
          end
        end
        local acked, logKeys, logs = {}, {}, {}
        for k = 1, n do
          if settled[k] == 1 then
            acked[#acked + 1] = ids[k]
            if lines[k] ~= '' then
              local key = KEYS[4 + 2 * k]
              local kept = logs[key]
              if not kept then
                kept = {}
                logs[key] = kept
                logKeys[#logKeys + 1] = key
              end
              kept[#kept + 1] = lines[k]
            end
          end
        end
        if #acked > 0 then
          redis.call('XACK', KEYS[1], group, unpack(acked))
          redis.call('XDEL', KEYS[1], unpack(acked))
        end
        for _, key in ipairs(logKeys) do
          local text = table.concat(logs[key], '\\n') .. '\\n'
          local ok, length = pcall(redis.call, 'APPEND', key, text)
          if not ok then
            redis.log(redis.LOG_WARNING, 'sluice: attempt lines not appended to ' .. key .. ': ' .. tostring(refusal(length).err))
          elseif length == #text then
            redis.call('PEXPIRE', key, retention)
          end
        end
        return settled
        """
    )
}
