extension TokenBucket {
    /// The Redis-shared version of ``take(nowMillis:)``, for `EVALSHA` with one key.
    ///
    /// Data structure: `KEYS[1]` is a hash per endpoint (hash-tag it with the endpoint's other keys)
    /// with two fields, `u` = credit in units of 1/period token and `t` = unix ms of the last update.
    /// A missing hash is a full bucket. The key expires once the bucket would be full again, since
    /// a full bucket and no bucket behave the same.
    ///
    /// `ARGV`: capacity (tokens, burst), period in ms, now in unix ms — see
    /// ``scriptArguments(nowMillis:)``. Returns 0 when a token was taken, else the ms to wait.
    /// The caller's clock is passed in rather than read with `TIME`, so the Swift type and the
    /// script agree exactly in tests; workers' clocks should be NTP-synchronised.
    public static let luaSource: String = """
        local capacity = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local now = tonumber(ARGV[3])
        if capacity < 1 then capacity = 1 end
        if period < 1 then period = 1 end
        local full = capacity * period
        local state = redis.call('HMGET', KEYS[1], 'u', 't')
        local units = tonumber(state[1])
        local updated = tonumber(state[2])
        if units == nil or updated == nil then
          units = full
          updated = now
        end
        local elapsed = now - updated
        if elapsed < 0 then elapsed = 0 end
        if elapsed > period then elapsed = period end
        units = math.min(full, units + elapsed * capacity)
        updated = math.max(updated, now)
        local wait = 0
        if units >= period then
          units = units - period
        else
          wait = math.floor((period - units + capacity - 1) / capacity)
        end
        redis.call('HSET', KEYS[1], 'u', string.format('%d', units), 't', string.format('%d', updated))
        redis.call('PEXPIRE', KEYS[1], period + 1000)
        return wait
        """
}
