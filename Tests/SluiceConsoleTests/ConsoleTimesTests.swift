import Testing

@testable import SluiceConsole

/// Times on the console's pages: exact to the millisecond, never one early.
@Suite struct ConsoleTimesTests {
    @Test(arguments: [
        (Int64(1_796_594_362_760), "2026-12-06T21:59:22.760Z"),
        (1_796_594_362_001, "2026-12-06T21:59:22.001Z"),
        (1_796_594_362_999, "2026-12-06T21:59:22.999Z"),
    ])
    func millisecondsAreWrittenAsStored(millis: Int64, expected: String) {
        #expect(ConsoleController.iso(millis, milliseconds: true) == expected)
        #expect(ConsoleController.iso(millis) == "2026-12-06T21:59:22Z")
    }
}
