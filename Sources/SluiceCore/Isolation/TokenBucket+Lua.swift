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
    ///
    /// When `KEYS[2]` (the endpoint's waiting line) is given and not empty, no token is taken and
    /// the wait is one token's refill time: a delivery that arrives while others wait for the same
    /// endpoint queues behind them instead of taking the token the line is owed. The wait is
    /// negative when the bucket holds a token for every delivery in the line all the same: the
    /// line is only about to be let out, and the endpoint is not short of tokens (a backlog longer
    /// than the bucket's tokens is).
    public static let luaSource: String = luaFunction + """
        local waiting = KEYS[2] and redis.call('LLEN', KEYS[2]) or 0
        if waiting > 0 then
          local refill = math.max(1, math.floor(tonumber(ARGV[2]) / math.max(1, tonumber(ARGV[1]))))
          local _, _, left = takeTokens(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), 0)
          if left >= waiting then return -refill end
          return refill
        end
        local taken, wait = takeTokens(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), 1)
        if taken == 1 then return 0 end
        return wait
        """

    /// Lua source of `takeTokens(key, capacity, period, now, want)`, shared by the scripts that
    /// take tokens: takes up to `want` tokens and returns how many it took, the ms until the
    /// next token (0 when one is left) and how many whole tokens are left. For `want` = 1 it is
    /// exactly ``take(nowMillis:)``.
    public static let luaFunction: String = """
        local function takeTokens(key, capacity, period, now, want)
          if capacity < 1 then capacity = 1 end
          if period < 1 then period = 1 end
          local full = capacity * period
          local state = redis.call('HMGET', key, 'u', 't')
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
          local taken = math.min(want, math.floor(units / period))
          units = units - taken * period
          local wait = 0
          if units < period then
            wait = math.floor((period - units + capacity - 1) / capacity)
          end
          redis.call('HSET', key, 'u', string.format('%d', units), 't', string.format('%d', updated))
          redis.call('PEXPIRE', key, period + 1000)
          return taken, wait, math.floor(units / period)
        end

        """
}
