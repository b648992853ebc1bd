/// Where a script's keys and arguments are written, in order: an array of `RedisArgument`s for
/// `RedisClient`, or one encoded buffer (`RESPArguments`) for `RedisLoopConnection`. A script's
/// argument list is then written once, for both.
public protocol ScriptArgumentSink {
    mutating func append(_ string: String)
    mutating func append(_ bytes: [UInt8])
    mutating func append(_ value: Int64)
}

extension RESPArguments: ScriptArgumentSink {}

extension Array: ScriptArgumentSink where Element == RedisArgument {
    public mutating func append(_ string: String) { append(RedisArgument(string)) }
    public mutating func append(_ bytes: [UInt8]) { append(RedisArgument(bytes)) }
    public mutating func append(_ value: Int64) { append(RedisArgument(value)) }
}
