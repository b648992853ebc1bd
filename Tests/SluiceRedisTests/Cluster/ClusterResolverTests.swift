import Testing

@testable import SluiceRedis

/// Reading a `CLUSTER SLOTS` reply, which comes over an unencrypted connection: a range whose
/// ends are reversed, or a port no TCP connection can have, is skipped rather than trapping
/// (a reversed `first...end` crashed the process, as did a port past Int32).
@Suite struct ClusterResolverTests {
    static func range(_ first: Int64, _ end: Int64, port: Int64) -> RedisReply {
        .array([.integer(first), .integer(end), .array([.string(Array("10.0.0.1".utf8)), .integer(port)])])
    }

    @Test func aReversedRangeOrAnImpossiblePortIsSkipped() {
        let reply = RedisReply.array([
            Self.range(9000, 100, port: 7000),
            Self.range(0, 16383, port: 1 << 40),
            Self.range(0, 16383, port: 7002),
        ])
        #expect(ClusterResolver.master(ofSlot: 500, in: reply)?.port == 7002)
        #expect(ClusterResolver.master(ofSlot: 500, in: .array([Self.range(9000, 100, port: 7000)])) == nil)
    }
}
