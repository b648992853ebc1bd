import NIOCore
import SluiceTesting
import Testing

@testable import SluiceEdge

/// Refused calls are logged a few lines per kind, however many a sender makes: the first at once,
/// then the count of the others once per interval.
@Suite struct IngressRefusalLogTests {
    static let badSignature = IngressRefusalLog.Kind(source: "gemini", reason: "signature_mismatch", status: 401)
    static let redisDown = IngressRefusalLog.Kind(source: "gemini", reason: "store_unavailable", status: 503)

    @Test func theFirstOfAKindIsLoggedAtOnceAndTheRestAsACountPerInterval() throws {
        let capture = LogCapture()
        let log = IngressRefusalLog(logger: capture.logger(label: "sluice.test.refusals"), interval: .seconds(30))
        let start = ContinuousClock.now
        // 100 bad signatures a second for 45 s, and Redis failing twice in the middle.
        for tick in 0..<4500 {
            let now = start + .milliseconds(10 * tick)
            log.refused(Self.badSignature, remote: try SocketAddress(ipAddress: "198.51.100.\(tick % 7)", port: 40000), now: now)
            if tick == 1000 || tick == 1001 {
                log.refused(Self.redisDown, remote: try SocketAddress(ipAddress: "203.0.113.9", port: 40001), error: "cannot connect to Redis", now: now)
            }
            if tick % 100 == 0 { log.flush(now: now) }
        }
        log.flush(now: start + .seconds(60))
        let lines = capture.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(capture.text)")
        guard lines.count == 5 else { return }
        #expect(lines[0] == "info ingest rejected reason=signature_mismatch remote=198.51.100.0 source=gemini status=401")
        #expect(lines[1] == "warning ingest refused error=cannot connect to Redis reason=store_unavailable remote=203.0.113.9 source=gemini status=503")
        #expect(lines[2] == "info more ingest calls rejected count=3000 last_remote=198.51.100.4 over=30s reason=signature_mismatch source=gemini status=401")
        #expect(lines[3] == "warning more ingest calls refused count=1 last_remote=203.0.113.9 over=30s reason=store_unavailable source=gemini status=503")
        #expect(lines[4] == "info more ingest calls rejected count=1499 last_remote=198.51.100.5 over=30s reason=signature_mismatch source=gemini status=401")
    }

    @Test func aKindQuietForAWholeIntervalIsLoggedAtOnceWhenItComesBack() {
        let capture = LogCapture()
        let log = IngressRefusalLog(logger: capture.logger(label: "sluice.test.refusals"), interval: .seconds(30))
        let start = ContinuousClock.now
        log.refused(Self.badSignature, remote: nil, now: start)
        log.flush(now: start + .seconds(31))
        log.refused(Self.badSignature, remote: nil, now: start + .seconds(40))
        let lines = capture.text.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasPrefix("info ingest rejected ") }, "\(capture.text)")
        // At shutdown what was counted is said, over the time it really covers.
        log.refused(Self.badSignature, remote: nil, now: start + .seconds(41))
        log.flush(now: start + .seconds(42), all: true)
        #expect(capture.text.split(separator: "\n").last?.hasPrefix("info more ingest calls rejected count=1 over=2s ") == true, "\(capture.text)")
    }
}
