// The complete script: settles one claimed delivery after an attempt (or without one).
//
//   KEYS[1]  {P}:v1:deliveries              STREAM (group `delivery`)
//   KEYS[2]  {P}:v1:retry                   ZSET
//   KEYS[3]  {P}:v1:retry:<delivery-id>     HASH
//   KEYS[4]  {P}:v1:dlq                     STREAM
//   KEYS[5]  {P}:v1:attempts:<webhook-id>   LIST
//   ARGV     stream-id, group, mode (`delivered` | `retry` | `dead_letter`), delivery-id,
//            due-ms, attempt line ("" = no attempt), retention-ms,
//            then the field pairs of the retry hash or dead letter: name, value, …
//   returns  1 when settled, 0 when the entry was no longer pending (another worker settled or
//            reclaimed and settled it; nothing is written then)
//
// XACK is the first write and the guard, as in the route script. `retry` serves both a failed
// attempt and a parked delivery; only the fields differ, and Swift chooses them.

enum CompleteScript {
    static let script = RedisScript(
        """
        if redis.call('XACK', KEYS[1], ARGV[2], ARGV[1]) == 0 then
          return 0
        end
        local mode = ARGV[3]
        if mode == 'retry' then
          redis.call('DEL', KEYS[3])
          redis.call('HSET', KEYS[3], unpack(ARGV, 8, #ARGV))
          redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
        elseif mode == 'dead_letter' then
          redis.call('XADD', KEYS[4], '*', unpack(ARGV, 8, #ARGV))
        end
        redis.call('XDEL', KEYS[1], ARGV[1])
        if ARGV[6] ~= '' then
          redis.call('RPUSH', KEYS[5], ARGV[6])
          redis.call('PEXPIRE', KEYS[5], ARGV[7])
        end
        return 1
        """
    )
}
