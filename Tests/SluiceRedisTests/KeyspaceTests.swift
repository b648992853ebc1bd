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
}
