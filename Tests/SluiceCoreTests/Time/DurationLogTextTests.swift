import SluiceCore
import Testing

@Suite struct DurationLogTextTests {
    @Test(arguments: [
        (Duration.zero, "0ms"),
        (.milliseconds(250), "250ms"),
        (.nanoseconds(999_999_999), "999ms"),
        (.seconds(1), "1s"),
        (.milliseconds(1504), "1.5s"),
        (.nanoseconds(30_038_341_201), "30s"),
        (.milliseconds(59_940), "59.9s"),
        (.milliseconds(59_960), "1m"),
        (.seconds(60), "1m"),
        (.milliseconds(125_400), "2m5s"),
        (.seconds(3600), "1h"),
        (.seconds(3720), "1h2m"),
        (.seconds(-2), "-2s"),
    ])
    func readsAsAnOperatorWouldWriteIt(duration: Duration, text: String) {
        #expect(duration.logText == text)
    }
}
