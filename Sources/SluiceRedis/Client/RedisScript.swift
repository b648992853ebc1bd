import Crypto

/// A Lua script and its SHA1, so `RedisClient.run` can use `EVALSHA` and fall back to `EVAL`.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The lowercase hex SHA1 of `source`, as `SCRIPT LOAD` and `EVALSHA` use it.
    public let sha1: String

    /// Wraps `source` and computes its SHA1.
    public init(_ source: String) {
        self.source = source
        let digest = Insecure.SHA1.hash(data: Array(source.utf8))
        self.sha1 = digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
