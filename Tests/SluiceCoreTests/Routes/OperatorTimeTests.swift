import SluiceCore
import Testing

@Suite struct OperatorTimeTests {
    static let now: Int64 = 1_764_930_600_000  // 2025-12-05T10:30:00Z

    @Test func isoTimesWithOrWithoutMillisecondsAndDurationsAgo() {
        #expect(OperatorTime.millis("2025-12-05T10:00:00Z", nowMillis: Self.now) == 1_764_928_800_000)
        // As the console writes a window into its page links.
        #expect(OperatorTime.millis("2025-12-05T10:00:00.250Z", nowMillis: Self.now) == 1_764_928_800_250)
        #expect(OperatorTime.millis("90m", nowMillis: Self.now) == Self.now - 90 * 60_000)
        #expect(OperatorTime.millis(" 2h ", nowMillis: Self.now) == Self.now - 2 * 3_600_000)
        #expect(OperatorTime.millis("yesterday", nowMillis: Self.now) == nil)
    }
}
