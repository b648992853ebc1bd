@testable import SluiceRedis
import Testing

@Suite("FieldList lookups")
struct FieldListTests {
    private static func list(_ pairs: [(String, String)]) -> FieldList {
        FieldList(pairs.flatMap { [RedisReply.string(Array($0.0.utf8)), RedisReply.string(Array($0.1.utf8))] })
    }

    @Test func findsEachNameInAnyOrderAndMissesAbsentOnes() {
        var list = Self.list([("ingress_id", "1-1"), ("tenant", "acme"), ("endpoint", "main"), ("webhook_id", "msg_1"), ("body", "{}")])
        #expect(list.value(named: "webhook_id") == Array("msg_1".utf8))
        #expect(list.value(named: "tenant") == Array("acme".utf8))
        // Same length as "tenant" and as "webhook_id" / "ingress_id", different bytes.
        #expect(list.value(named: "source") == nil)
        #expect(list.value(named: "last_error") == nil)
        #expect(list.value(named: "ingress_id") == Array("1-1".utf8))
        #expect(list.value(named: "body") == Array("{}".utf8))
        #expect(list.value(named: "") == nil)
    }

    @Test func anEmptyNameAndAnEmptyValueAreFound() {
        var list = Self.list([("", "x"), ("channel", "")])
        #expect(list.value(named: "channel") == [])
        #expect(list.value(named: "") == Array("x".utf8))
    }
}
