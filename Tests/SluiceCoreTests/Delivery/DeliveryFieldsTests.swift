import Testing

@testable import SluiceCore

@Suite struct DeliveryFieldsTests {
    static func sample(body: [UInt8] = Array(#"{"type":"batch.succeeded"}"#.utf8), channel: String? = "acme") -> Delivery {
        Delivery(
            ingressID: "1700000000000-3",
            event: IngressEvent(
                webhookID: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
                source: "gemini",
                channel: channel,
                eventType: "batch.succeeded",
                webhookTimestamp: 1_700_000_000,
                receivedAtMillis: 1_700_000_000_123,
                body: body
            ),
            target: EndpointRef(tenant: "acme", endpoint: "main"),
            attempt: 3,
            firstAttemptAtMillis: 1_700_000_000_500,
            lastStatus: 503,
            lastError: "HTTP 503"
        )
    }

    static func roundTrip(_ delivery: Delivery) -> Delivery? {
        Delivery(fields: Dictionary(delivery.fields(), uniquingKeysWith: { first, _ in first }))
    }

    @Test func idNamesTheIngressEntryTenantAndEndpoint() {
        #expect(Self.sample().id == "1700000000000-3/acme/main")
    }

    @Test func fieldsRoundTripEveryValue() {
        let delivery = Self.sample()
        #expect(Self.roundTrip(delivery) == delivery)
    }

    @Test func bodyWithNulAndInvalidUTF8SurvivesByteForByte() {
        let body: [UInt8] = [0x7B, 0x00, 0xFF, 0xFE, 0xC3, 0x28, 0x00, 0x7D, 0x0D, 0x0A]
        let delivery = Self.sample(body: body)
        let bodyField = delivery.fields().first { $0.0 == Delivery.FieldName.body }?.1
        #expect(bodyField == body)
        #expect(Self.roundTrip(delivery)?.event.body == body)
    }

    @Test func absentOptionalsAreLeftOutAndReadBackAsNil() {
        var delivery = Self.sample(channel: nil)
        delivery.firstAttemptAtMillis = nil
        delivery.lastStatus = nil
        delivery.lastError = nil
        delivery.attempt = 1
        let names = delivery.fields().map(\.0)
        #expect(
            names == [
                Delivery.FieldName.ingressID, Delivery.FieldName.tenant, Delivery.FieldName.endpoint, Delivery.FieldName.attempt,
                Delivery.FieldName.webhookID, Delivery.FieldName.source, Delivery.FieldName.eventType,
                Delivery.FieldName.webhookTimestamp, Delivery.FieldName.receivedAt, Delivery.FieldName.body,
            ])
        #expect(Self.roundTrip(delivery) == delivery)
    }

    @Test func emptyOptionalsWrittenByEarlierVersionsReadBackAsNil() {
        var delivery = Self.sample(channel: nil)
        delivery.firstAttemptAtMillis = nil
        delivery.lastStatus = nil
        delivery.lastError = nil
        var fields = Dictionary(delivery.fields(), uniquingKeysWith: { first, _ in first })
        for name in [Delivery.FieldName.channel, Delivery.FieldName.firstAttemptAt, Delivery.FieldName.lastStatus, Delivery.FieldName.lastError] {
            fields[name] = []
        }
        #expect(Delivery(fields: fields) == delivery)
    }

    @Test func fieldCountMatchesWhatIsWritten() {
        var bare = Self.sample(channel: nil)
        bare.firstAttemptAtMillis = nil
        bare.lastStatus = nil
        bare.lastError = nil
        var retried = Self.sample()
        retried.released = true
        for delivery in [bare, Self.sample(), retried] {
            #expect(delivery.fieldCount == delivery.fields().count)
        }
        #expect(bare.fieldCount < retried.fieldCount)
    }

    @Test func numbersAreDecimalText() {
        let fields = Dictionary(Self.sample().fields(), uniquingKeysWith: { first, _ in first })
        #expect(fields[Delivery.FieldName.attempt] == Array("3".utf8))
        #expect(fields[Delivery.FieldName.receivedAt] == Array("1700000000123".utf8))
    }

    @Test func malformedEntriesAreRefused() {
        var fields = Dictionary(Self.sample().fields(), uniquingKeysWith: { first, _ in first })
        fields[Delivery.FieldName.attempt] = Array("0".utf8)
        #expect(Delivery(fields: fields) == nil)
        fields[Delivery.FieldName.attempt] = Array("+2".utf8)
        #expect(Delivery(fields: fields) == nil)
        fields[Delivery.FieldName.attempt] = Array("2".utf8)
        fields[Delivery.FieldName.lastStatus] = Array("5xx".utf8)
        #expect(Delivery(fields: fields) == nil)
        fields[Delivery.FieldName.lastStatus] = nil
        fields[Delivery.FieldName.body] = nil
        #expect(Delivery(fields: fields) == nil)
    }

    @Test func restartedDeliveryBeginsAFreshSchedule() {
        let sample = Self.sample()
        let replayedAt = sample.event.receivedAtMillis + 86_400_000
        let restarted = sample.restarted(atMillis: replayedAt)
        #expect(restarted.attempt == 1)
        #expect(restarted.id == sample.id)
        #expect(restarted.lastStatus == nil && restarted.lastError == nil && restarted.firstAttemptAtMillis == nil)
        // Its schedule (the first delay, an open circuit's patience) counts from the replay, not
        // from the event's acceptance a day before; and that survives the trip through Redis.
        #expect(sample.scheduleStartMillis == sample.event.receivedAtMillis)
        #expect(restarted.scheduleStartMillis == replayedAt)
        #expect(Delivery(fields: Dictionary(restarted.fields(), uniquingKeysWith: { first, _ in first })) == restarted)
        #expect(!sample.fields().contains { $0.0 == Delivery.FieldName.scheduledAt })
    }

    @Test func deadLetterReasonsUseTheContractNames() {
        #expect(DeadLetterReason.allCases.map(\.rawValue) == ["no_route", "exhausted", "gone", "blocked_address", "endpoint_removed", "undecodable"])
    }
}
