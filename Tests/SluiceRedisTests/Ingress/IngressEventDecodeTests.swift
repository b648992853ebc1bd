import SluiceCore
import SluiceRedis
import Testing

@Suite("Ingress stream entries decode")
struct IngressEventDecodeTests {
    private static let written: [(String, String)] = [
        ("id", "msg_1"), ("source", "gemini"), ("channel", "acme"), ("type", "batch.succeeded"),
        ("ts", "1764000000"), ("received_at", "1764000000123"), ("body", #"{"type":"batch.succeeded"}"#),
    ]

    private static func fields(_ pairs: [(String, String)]) -> [RedisReply] {
        pairs.flatMap { [RedisReply.string(Array($0.0.utf8)), RedisReply.string(Array($0.1.utf8))] }
    }

    @Test func anEntryAsTheIngestScriptWritesItDecodesInAnyFieldOrder() {
        let expected = IngressEvent(
            webhookID: "msg_1", source: "gemini", channel: "acme", eventType: "batch.succeeded",
            webhookTimestamp: 1_764_000_000, receivedAtMillis: 1_764_000_000_123, body: Array(#"{"type":"batch.succeeded"}"#.utf8))
        #expect(IngressEvent.decode(fields: Self.fields(Self.written)) == expected)
        #expect(IngressEvent.decode(fields: Self.fields(Self.written.reversed())) == expected)
    }

    @Test func anEmptyOrMissingChannelAndTypeAreNoChannelAndNoType() {
        let bare = Self.written.filter { $0.0 != "channel" && $0.0 != "type" }
        let empty = Self.written.map { $0.0 == "channel" || $0.0 == "type" ? ($0.0, "") : $0 }
        for pairs in [bare, empty] {
            let event = IngressEvent.decode(fields: Self.fields(pairs))
            #expect(event?.channel == nil)
            #expect(event?.eventType == "")
            #expect(event?.webhookID == "msg_1")
        }
    }

    @Test func anEntryWithoutARequiredFieldOrWithABadNumberIsUndecodable() {
        for required in ["id", "source", "ts", "received_at", "body"] {
            #expect(IngressEvent.decode(fields: Self.fields(Self.written.filter { $0.0 != required })) == nil, "without \(required)")
        }
        let badTimestamp = Self.written.map { $0.0 == "ts" ? ("ts", "soon") : $0 }
        #expect(IngressEvent.decode(fields: Self.fields(badTimestamp)) == nil)
        var notBulk = Self.fields(Self.written)
        notBulk[13] = .integer(7)  // the body's value
        #expect(IngressEvent.decode(fields: notBulk) == nil)
    }
}
