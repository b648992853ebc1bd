/// Where a script's keys and arguments are written, in order: an array of `RedisArgument`s for
/// `RedisClient`, or one encoded buffer (`RESPArguments`) for `RedisLoopConnection`. A script's
/// argument list is then written once, for both.
protocol ScriptArgumentSink {
    mutating func append(_ string: String)
    mutating func append(_ bytes: [UInt8])
    mutating func append(_ value: Int64)
}

extension RESPArguments: ScriptArgumentSink {}

extension Array: ScriptArgumentSink where Element == RedisArgument {
    mutating func append(_ string: String) { append(RedisArgument(string)) }
    mutating func append(_ bytes: [UInt8]) { append(RedisArgument(bytes)) }
    mutating func append(_ value: Int64) { append(RedisArgument(value)) }
}
