import SluiceCore
import Testing

@Suite("Choosing an event's partition")
struct EventPartitionTests {
    @Test func oneEventAlwaysLandsInTheSamePartition() {
        // FNV-1a is fixed: these values hold in every process and every version, so a retry
        // of an event reaches the partition that holds its dedupe key.
        #expect(EventPartition.of(webhookID: "msg_2Lh7", count: 6) == EventPartition.of(webhookID: "msg_2Lh7", count: 6))
        #expect(EventPartition.of(webhookID: "", count: 6) == Int(0xcbf2_9ce4_8422_2325 as UInt64 % 6))
        #expect(EventPartition.of(webhookID: "a", count: 1000) == Int(0xaf63_dc4c_8601_ec8c as UInt64 % 1000))
    }

    @Test func oneCountMeansPartitionZero() {
        for id in ["a", "msg_1", "evt-zzz"] { #expect(EventPartition.of(webhookID: id, count: 1) == 0) }
    }

    @Test func idsThatDifferOnlyInACounterSpreadEvenly() {
        var counts = [Int](repeating: 0, count: 6)
        for index in 0..<6000 { counts[EventPartition.of(webhookID: "batch-job-\(index)", count: 6)] += 1 }
        // 1,000 expected each; a hash that clusters sequential ids would leave some far off.
        #expect(counts.allSatisfy { (850...1150).contains($0) }, "\(counts)")
    }
}
