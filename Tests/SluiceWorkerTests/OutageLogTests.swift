import SluiceRedis
import SluiceTesting
import Testing

@testable import SluiceWorker

/// What an operator reads while Redis is away: the first failure, a reminder now and then, and
/// the recovery — not a line for each of the loops' tries, several a second.
@Suite struct OutageLogTests {
    static let error = RedisError(kind: .unreachable, message: "Connection refused")

    @Test func anOutageIsLoggedOnceThenAtIntervalsWithTheCountThenItsEnd() {
        let capture = LogCapture()
        let logger = capture.logger(label: "sluice.test.outage")
        var log = OutageLog(failing: "cannot read the deliveries stream", resumed: "reading the deliveries stream again", repeatEvery: .seconds(30))
        let start = ContinuousClock.now
        // A try every 500 ms for 65 s: 131 failures.
        for tick in 0...130 {
            log.failed(Self.error, logger: logger, metadata: ["partition": "2"], now: start + .milliseconds(500 * tick))
        }
        #expect(log.isFailing)
        log.succeeded(logger: logger, now: start + .seconds(66))
        #expect(!log.isFailing)
        log.succeeded(logger: logger, now: start + .seconds(67))

        let lines = capture.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(capture.text)")
        guard lines.count == 4 else { return }
        #expect(lines[0].hasPrefix("error cannot read the deliveries stream; retrying"))
        #expect(lines[0].contains("partition=2") && lines[0].contains("Connection refused"))
        #expect(lines[1].hasPrefix("error cannot read the deliveries stream; still retrying"))
        #expect(lines[1].contains("failures=61") && lines[1].contains("since=30s"), "\(lines[1])")
        #expect(lines[2].contains("failures=121") && lines[2].contains("since=1m"), "\(lines[2])")
        #expect(lines[3].hasPrefix("info reading the deliveries stream again"))
        #expect(lines[3].contains("failures=131") && lines[3].contains("after=1m6s"), "\(lines[3])")
    }

    @Test func aNewOutageAfterRecoveryIsLoggedAsNewAtItsOwnLevel() {
        let capture = LogCapture()
        let logger = capture.logger(label: "sluice.test.outage")
        var log = OutageLog(failing: "cannot raise the partition count", resumed: "raising the partition count again", level: .warning)
        let start = ContinuousClock.now
        log.failed(Self.error, logger: logger, now: start)
        log.succeeded(logger: logger, now: start + .seconds(1))
        log.failed(Self.error, logger: logger, now: start + .seconds(2))
        let lines = capture.text.split(separator: "\n")
        #expect(lines.count == 3, "\(capture.text)")
        #expect(lines.first?.hasPrefix("warning cannot raise the partition count; retrying") == true)
        #expect(lines.last?.hasPrefix("warning cannot raise the partition count; retrying") == true)
    }
}
