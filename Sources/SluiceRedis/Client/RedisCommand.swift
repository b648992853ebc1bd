/// One command for a `RedisLoopConnection`: its leading arguments, then optionally arguments
/// already encoded (`RESPArguments`), sent as one RESP array.
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

    /// Arguments in all.
    var count: Int { leading.count + (encoded?.count ?? 0) }
}
