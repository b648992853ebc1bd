import Foundation
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

    @Test func keptResponseHeadersAreWrittenAsJSONEncoderWouldAndRoundTrip() throws {
        let record = AttemptRecord(
            atMillis: 9, attempt: 1, status: 429, durationMillis: 3, error: "HTTP 429", outcome: .retry,
            responseHeaders: ["x-request-id": "req \"7\"", "retry-after": "30"])
        let text = String(decoding: record.jsonBytes(), as: UTF8.self)
        #expect(text == #"{"at":9,"attempt":1,"duration_ms":3,"error":"HTTP 429","headers":{"retry-after":"30","x-request-id":"req \"7\""},"outcome":"retry","status":429}"#)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try encoder.encode(record) == Data(record.jsonBytes()))
        #expect(AttemptRecord(json: record.jsonBytes()) == record)
        // None kept: no key at all, as before.
        #expect(!String(decoding: AttemptRecord(atMillis: 1, attempt: 1, status: 200, durationMillis: 1, error: nil, outcome: .delivered, responseHeaders: [:]).jsonBytes(), as: UTF8.self).contains("headers"))
    }

    @Test func keptHeaderValuesAreCutInBytesNotCharacters() {
        // One character of thousands of combining marks: 256 characters would be far more bytes.
        let hostile = String(repeating: "e\u{0301}\u{0302}\u{0303}", count: 200)
        let kept = AttemptRecord.keptHeaderValue(hostile)
        #expect(kept.utf8.count <= AttemptRecord.keptHeaderValueLimit && kept.utf8.count > 240)
        #expect(AttemptRecord.keptHeaderValue("30") == "30")
    }

    @Test func notARecordIsRefused() {
        #expect(AttemptRecord(json: Array("{}".utf8)) == nil)
        #expect(AttemptRecord(json: [0xFF]) == nil)
    }
}
