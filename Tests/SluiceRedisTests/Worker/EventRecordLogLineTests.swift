import SluiceCore
@testable import SluiceRedis
import Testing

@Suite("Event log lines")
struct EventRecordLogLineTests {
    /// Names with every character the JSON writer must escape, and some it must not.
    private static let awkward = "q\"b\\n\nt\tc\u{01}é😀"

    @Test func theRoutersRecordReadsBackWithEscapedNames() throws {
        let event = IngressEvent(
            webhookID: "msg_\(Self.awkward)", source: "gemini", channel: "acme/\(Self.awkward)", eventType: "batch.\(Self.awkward)",
            webhookTimestamp: 1_764_000_000, receivedAtMillis: 1_764_000_000_123, body: Array("{}".utf8))
        let targets = [EndpointRef(tenant: "acme", endpoint: "main"), EndpointRef(tenant: "t\(Self.awkward)", endpoint: "e\(Self.awkward)")]
        let line = EventRecord.logLine(event, targets: targets, routedAtMillis: 1_764_000_000_456)
        let record = try #require(EventRecord(logLine: line))
        #expect(record == EventRecord(
            webhookID: event.webhookID, source: "gemini", channel: event.channel, eventType: event.eventType,
            receivedAtMillis: 1_764_000_000_123, routedAtMillis: 1_764_000_000_456, targets: targets))
        #expect(!line.contains(UInt8(ascii: "\n")), "a log line is one line")
    }

    @Test func anAttemptLineNamesItsTargetFirstAndReadsBack() throws {
        let target = EndpointRef(tenant: "acme", endpoint: "e\(Self.awkward)")
        let record = AttemptRecord(atMillis: 1_764_000_000_000, attempt: 2, status: 503, durationMillis: 12, error: "HTTP 503", outcome: .retry)
        let line = WorkerStore.attemptLine(target: target, record: record)
        #expect(line.starts(with: #"{"target":"acme/e"#.utf8))
        #expect(WorkerStore.loggedAttempt(from: line) == LoggedAttempt(target: target, record: record))
        #expect(EventRecord(logLine: line) == nil, "an attempt line never reads as the router's record")
    }
}
