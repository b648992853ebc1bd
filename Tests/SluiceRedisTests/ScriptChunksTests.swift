import SluiceRedis
import Testing

/// Script calls are bounded by bytes as well as by count, and always make progress.
@Suite struct ScriptChunksTests {
    @Test func largeBodiesAreSplitByBytesNotOnlyByCount() {
        // 512 deliveries of 1 MiB: one call of 512 MiB by count alone.
        let ranges = ScriptChunks.ranges(count: 512, maxItems: 512, maxBytes: 8 << 20, items: { _ in 1 }, bytes: { _ in 1 << 20 })
        #expect(ranges.count == 64)
        #expect(ranges.allSatisfy { $0.count == 8 })
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 512)
    }

    @Test func countStillBoundsSmallOnesAndAnOversizeElementGoesAlone() {
        let small = ScriptChunks.ranges(count: 1000, maxItems: 256, maxBytes: 8 << 20, items: { _ in 1 }, bytes: { _ in 100 })
        #expect(small.map(\.count) == [256, 256, 256, 232])
        let mixed = ScriptChunks.ranges(count: 3, maxItems: 256, maxBytes: 1000, items: { _ in 1 }, bytes: { [10, 5000, 10][$0] })
        #expect(mixed == [0..<1, 1..<2, 2..<3])
        // Items can weigh more than one (an event's fan-out).
        let wide = ScriptChunks.ranges(count: 4, maxItems: 10, maxBytes: 1 << 30, items: { _ in 6 }, bytes: { _ in 1 })
        #expect(wide == [0..<1, 1..<2, 2..<3, 3..<4])
        #expect(ScriptChunks.ranges(count: 0, maxItems: 10, items: { _ in 1 }, bytes: { _ in 1 }).isEmpty)
    }
}
