// The archive trim the route and replay scripts share: drops what is older than the recovery
// window from `{P}:v1:archive`, by Redis's own clock (`TIME`, the clock its entry ids come from),
// exactly (`XTRIM … MINID` removes only what fell out).

enum ArchiveTrim {
    /// Lua source of `trimArchive(archive, windowMillis)`; prepend it to a script that uses it.
    static let function = """
        local function trimArchive(archive, windowMillis)
          local now = redis.call('TIME')
          local oldest = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(windowMillis)
          redis.call('XTRIM', archive, 'MINID', string.format('%d', oldest))
        end

        """
}
