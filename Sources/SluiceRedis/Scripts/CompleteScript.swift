// The complete script: settles a batch of claimed deliveries after their attempts (or without one).
//
//   KEYS[1]        {P}:v1:deliveries              STREAM (group `delivery`)
//   KEYS[2]        {P}:v1:retry                   ZSET
//   KEYS[3]        {P}:v1:dlq                     STREAM
//   KEYS[2 + 2k]   {P}:v1:retry:<delivery-id>     HASH, of the k-th delivery (k = 1…n)
//   KEYS[3 + 2k]   {P}:v1:attempts:<webhook-id>   LIST, of the k-th delivery
//   ARGV           group, retention-ms, n, then per delivery: stream-id, mode (`delivered` |
//                  `retry` | `dead_letter`), delivery-id, due-ms, attempt line ("" = no attempt),
//                  pair-count, then the field pairs of the retry hash or dead letter: name, value, …
//   returns        one integer per delivery, in order: 1 when settled, 0 when its entry was no
//                  longer pending (another worker settled or reclaimed and settled it; nothing is
//                  written for that delivery then)
//
// One script per batch rather than per delivery: a script call costs Redis more than the few
// commands inside it. Each delivery still has its own XACK as its guard, so a batch may settle
// some deliveries and skip others; XACK is the script's first write (Redis refuses a script for
// lack of memory only before that). The deleted entries go in one XDEL, the retry scores in one
// ZADD, and attempt lines for one event (fan-out puts several in a batch) in one RPUSH + PEXPIRE.
// `retry` serves both a failed attempt and a parked delivery; only the fields differ, and Swift
// chooses them.

enum CompleteScript {
    static let script = RedisScript(
        """
        local group, retention, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local settled, acked, scores = {}, {}, {}
        local logKeys, logs = {}, {}
        local i = 4
        for k = 1, n do
          local id, mode, deliveryID, due, line = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
          local first, last = i + 6, i + 5 + 2 * tonumber(ARGV[i + 5])
          i = last + 1
          if redis.call('XACK', KEYS[1], group, id) == 1 then
            settled[k] = 1
            acked[#acked + 1] = id
            if mode == 'retry' then
              local key = KEYS[2 + 2 * k]
              redis.call('DEL', key)
              redis.call('HSET', key, unpack(ARGV, first, last))
              scores[#scores + 1] = due
              scores[#scores + 1] = deliveryID
            elseif mode == 'dead_letter' then
              redis.call('XADD', KEYS[3], '*', unpack(ARGV, first, last))
            end
            if line ~= '' then
              local key = KEYS[3 + 2 * k]
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
        if #scores > 0 then
          redis.call('ZADD', KEYS[2], unpack(scores))
        end
        if #acked > 0 then
          redis.call('XDEL', KEYS[1], unpack(acked))
        end
        for _, key in ipairs(logKeys) do
          redis.call('RPUSH', key, unpack(logs[key]))
          redis.call('PEXPIRE', key, retention)
        end
        return settled
        """
    )
}
