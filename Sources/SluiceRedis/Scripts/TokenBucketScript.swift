import SluiceCore

// The shared rate limit: `TokenBucket.luaSource` (see there for the data structure) on
// KEYS[1] = {P}:v1:bucket:<tenant>/<endpoint>, ARGV = `TokenBucket.scriptArguments`.

enum TokenBucketScript {
    static let script = RedisScript(TokenBucket.luaSource)
}
