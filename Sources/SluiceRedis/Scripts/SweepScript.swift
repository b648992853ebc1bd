// The sweep script: removes what dead workers leave behind — consumers of the `router` and
// `delivery` groups that have been idle for long and hold no pending entry, open-circuit
// reports whose probe time is long past, and endpoint summaries for the console that no worker
// has refreshed for as long (each worker process publishes under its own name, and a live one
// refreshes every summary once a minute, so an old one is a dead worker's or a removed endpoint's).
//
//   KEYS[1]  {P}:v1:ingress          STREAM (group `router`)
//   KEYS[2]  {P}:v1:deliveries       STREAM (group `delivery`)
//   KEYS[3]  {P}:v1:circuits         HASH
//   KEYS[4]  {P}:v1:endpoint-stats   HASH (field "<tenant>/<endpoint>@<consumer>" = JSON with "atMillis")
//   ARGV     router group, delivery group, consumer idle threshold ms, report cutoff (unix ms),
//            then consumer names never to delete (this worker's own)
//   returns  {deleted consumers, deleted circuit fields, deleted endpoint summaries}
//
// In a script because XGROUP DELCONSUMER drops the consumer's pending entries from the group:
// done outside one, a consumer could claim an entry between the check that it holds none and
// the delete, and that entry would never be delivered. Inside, the check and the delete are one.

enum SweepScript {
    static let script = RedisScript(
        """
        local idle, cutoff = tonumber(ARGV[3]), tonumber(ARGV[4])
        local keep = {}
        for i = 5, #ARGV do keep[ARGV[i]] = true end
        local consumersDeleted = 0
        for k, group in ipairs({ARGV[1], ARGV[2]}) do
          if redis.call('EXISTS', KEYS[k]) == 1 then
            local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[k], group)
            if ok then
              for _, consumer in ipairs(consumers) do
                local info = {}
                for j = 1, #consumer - 1, 2 do info[consumer[j]] = consumer[j + 1] end
                if not keep[info['name']] and tonumber(info['pending']) == 0 and tonumber(info['idle']) >= idle then
                  redis.call('XGROUP', 'DELCONSUMER', KEYS[k], group, info['name'])
                  consumersDeleted = consumersDeleted + 1
                end
              end
            end
          end
        end
        local fieldsDeleted = 0
        local reports = redis.call('HGETALL', KEYS[3])
        for j = 1, #reports - 1, 2 do
          local probeAt = tonumber(reports[j + 1])
          if not probeAt or probeAt < cutoff then
            redis.call('HDEL', KEYS[3], reports[j])
            fieldsDeleted = fieldsDeleted + 1
          end
        end
        local summariesDeleted = 0
        local summaries = redis.call('HGETALL', KEYS[4])
        for j = 1, #summaries - 1, 2 do
          local at = tonumber(string.match(summaries[j + 1], '"atMillis":(%d+)'))
          if not at or at < cutoff then
            redis.call('HDEL', KEYS[4], summaries[j])
            summariesDeleted = summariesDeleted + 1
          end
        end
        return {consumersDeleted, fieldsDeleted, summariesDeleted}
        """
    )
}
