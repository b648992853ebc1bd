import Testing

@testable import SluiceCore

@Suite struct AttemptRecordTests {
    @Test func recordEncodesToCompactJSONWithContractKeys() {
        let record = AttemptRecord(atMillis: 1_700_000_000_000, attempt: 2, status: 503, durationMillis: 41, error: "HTTP 503", outcome: .retry)
        let text = String(decoding: record.jsonBytes(), as: UTF8.self)
        #expect(text == #"{"at":1700000000000,"attempt":2,"duration_ms":41,"error":"HTTP 503","outcome":"retry","status":503}"#)
    }

    @Test func absentValuesAreOmittedAndRoundTrip() {
        let record = AttemptRecord(atMillis: 5, attempt: 8, status: nil, durationMillis: 15_000, error: "timeout: timed out", outcome: .deadLetter, reason: .exhausted)
        let text = String(decoding: record.jsonBytes(), as: UTF8.self)
        #expect(!text.contains("status"))
        #expect(text.contains(#""reason":"exhausted""#))
        #expect(text.contains(#""outcome":"dead_letter""#))
        #expect(AttemptRecord(json: record.jsonBytes()) == record)
    }

    @Test func notARecordIsRefused() {
        #expect(AttemptRecord(json: Array("{}".utf8)) == nil)
        #expect(AttemptRecord(json: [0xFF]) == nil)
    }
}
