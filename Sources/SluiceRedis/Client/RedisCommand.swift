/// One command for a Redis connection (`RedisConnection` or `RedisLoopConnection`): its leading
/// arguments, then optionally arguments already encoded (`RESPArguments`), sent as one RESP array.
///
/// A script call keeps its keys and arguments encoded once: `EVALSHA sha numkeys` leads, and if
/// the server does not know the script the same encoded tail follows `EVAL source numkeys`.
struct RedisCommand {
    var leading: [RedisArgument]
    var encoded: RESPArguments?

    init(_ arguments: [RedisArgument]) {
        leading = arguments
        encoded = nil
    }

    init(leading: [RedisArgument], encoded: RESPArguments?) {
        self.leading = leading
        self.encoded = encoded
    }

    /// A script call: `EVALSHA sha keyCount arguments… encoded…`, or with `cached: false` the same
    /// with `EVAL source` (after NOSCRIPT: the server restarted or its scripts were flushed).
    /// Both connection types build their script calls here; each retries on its own send path.
    static func script(
        _ script: RedisScript, cached: Bool, keyCount: Int, arguments: [RedisArgument] = [], encoded: RESPArguments? = nil
    ) -> RedisCommand {
        var leading = cached ? [evalsha, RedisArgument(script.sha1)] : [eval, RedisArgument(script.source)]
        leading.reserveCapacity(3 + arguments.count)
        leading.append(RedisArgument(keyCount))
        leading.append(contentsOf: arguments)
        return RedisCommand(leading: leading, encoded: encoded)
    }

    private static let evalsha = RedisArgument("EVALSHA")
    private static let eval = RedisArgument("EVAL")

    /// Arguments in all.
    var count: Int { leading.count + (encoded?.count ?? 0) }
}
