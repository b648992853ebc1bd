// The guard the route and complete scripts share: which of a batch's stream ids are still pending
// in a consumer group, found with one command for the whole batch.
//
// `XCLAIM … 0 id… JUSTID` returns exactly the ids still in the group's pending list (an entry
// another worker already settled is acknowledged and deleted, so it is not returned) and moves
// them to the `sluice-settle` consumer for the moment before the calling script's XACK takes them
// out of the group. XCLAIM is then the script's first write: Redis refuses a script's writes for
// lack of memory only up to its first, so the rest of the script cannot be refused half-way. (The
// route script, which grows memory by each event's fan-out, is refused before it starts instead:
// see its `#!lua` line.)

enum PendingGuard {
    /// Lua source of `stillPending(stream, group, ids)`, which returns a set (id → true); prepend
    /// it to a script that uses it.
    static let function = """
        local function stillPending(stream, group, ids)
          local claim = {'XCLAIM', stream, group, 'sluice-settle', 0}
          for k = 1, #ids do
            claim[5 + k] = ids[k]
          end
          claim[#claim + 1] = 'JUSTID'
          local pending = {}
          for _, id in ipairs(redis.call(unpack(claim))) do
            pending[id] = true
          end
          return pending
        end

        """
}
