/// One argument of a Redis command: raw bytes, so values are binary safe.
///
/// Write literals directly (`["SET", key, RedisArgument(body)]`); strings are sent as UTF-8 and
/// integers in decimal.
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral {
    /// The bytes sent to Redis.
    public var bytes: [UInt8]

    /// The UTF-8 bytes of `string`.
    public init(_ string: String) { bytes = Array(string.utf8) }
    /// Raw bytes, sent unchanged.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    /// An integer in decimal.
    public init(_ value: Int) { bytes = Array(String(value).utf8) }
    /// An integer in decimal.
    public init(_ value: Int64) { bytes = Array(String(value).utf8) }

    /// A string literal, sent as UTF-8.
    public init(stringLiteral value: String) { self.init(value) }
    /// An interpolated string literal (`"\(prefix):key"`), sent as UTF-8.
    public init(stringInterpolation: DefaultStringInterpolation) { self.init(String(stringInterpolation: stringInterpolation)) }
    /// An integer literal, sent in decimal.
    public init(integerLiteral value: Int) { self.init(value) }
}
