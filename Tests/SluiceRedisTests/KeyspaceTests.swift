import SluiceRedis
import Testing

@Suite("Keyspace")
struct KeyspaceTests {
    @Test func everyKeySharesTheHashTagAndVersion() {
        let keys = Keyspace(prefix: "acme")
        let all = [
            keys.ingress, keys.deliveries, keys.retry, keys.deadLetters,
            keys.eventLog(source: "gemini", webhookID: "msg_1"), keys.attempts(deliveryID: "d1"),
        ]
        for key in all {
            #expect(key.hasPrefix("{acme}:v1:"))
        }
        #expect(keys.ingress == "{acme}:v1:ingress")
        #expect(keys.eventLog(source: "gemini", webhookID: "msg_1") == "{acme}:v1:dedupe:gemini:msg_1")
        #expect(keys.deadLetters == "{acme}:v1:dlq")
    }

    @Test func defaultsToSluicePrefixAndStripsBraces() {
        #expect(Keyspace().ingress == "{sluice}:v1:ingress")
        #expect(Keyspace(prefix: "a{b}").prefix == "ab")
    }

    @Test func partitionZeroIsTheUnpartitionedLayoutAndOthersHaveTagsOfTheirOwn() {
        #expect(Keyspace(prefix: "acme", partition: 0) == Keyspace(prefix: "acme"))
        let third = Keyspace(prefix: "acme", partition: 3)
        #expect(third.tag == "acme:p3")
        #expect(third.ingress == "{acme:p3}:v1:ingress")
        #expect(third.eventLog(source: "g", webhookID: "m") == "{acme:p3}:v1:dedupe:g:m")
        // One record for the whole installation, in partition 0's slot.
        #expect(third.partitionCount == "{acme}:v1:partitions")
        #expect(Keyspace.partitions(prefix: "acme", count: 6).map(\.tag) == ["acme", "acme:p1", "acme:p2", "acme:p3", "acme:p4", "acme:p5"])
        // Distinct tags land in distinct slots, so a cluster can place partitions on different masters.
        #expect(Set(Keyspace.partitions(prefix: "acme", count: 6).map { HashSlot.of($0.tag) }).count == 6)
    }
}
