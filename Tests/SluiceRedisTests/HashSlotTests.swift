import SluiceRedis
import Testing

@Suite("HashSlot: Redis Cluster's key slots")
struct HashSlotTests {
    @Test func matchesRedisForPlainKeysAndHashTags() {
        // Values from `redis-cli CLUSTER KEYSLOT`.
        #expect(HashSlot.of("foo") == 12182)
        #expect(HashSlot.of("123456789") == 12739)
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("user1000"))
        // An empty tag does not count: the whole key is hashed.
        #expect(HashSlot.of("foo{}{bar}") != HashSlot.of("bar"))
        #expect(HashSlot.of("foo{{bar}}zap") == HashSlot.of("{bar"))
    }

    @Test func everySluiceKeyOfAPrefixSharesItsSlot() {
        let keys = Keyspace(prefix: "acme")
        for key in [keys.ingress, keys.deliveries, keys.retry, keys.deadLetters, keys.eventLog(source: "gemini", webhookID: "msg_1")] {
            #expect(HashSlot.of(key) == HashSlot.of("acme"))
        }
    }
}
