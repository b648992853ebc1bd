import SluiceCore
import SluiceTesting
import Testing

/// The edge decides 400 `invalid_json` / `not_an_object` with `JSONEventScan`; these hold it to
/// exactly what `JSONValue(parsing:)` accepts, and to the event type the parser would read.
@Suite("JSONEventScan")
struct JSONEventScanTests {
    /// What the parser makes of the same bytes, in the scanner's terms.
    static func parserVerdict(_ bytes: [UInt8]) -> JSONEventScan {
        guard let value = try? JSONValue(parsing: bytes) else { return .invalid }
        guard case .object(let members) = value else { return .notAnObject }
        if case .string(let type)? = members["type"] { return .object(type: type) }
        return .object(type: "")
    }

    static let documents: [String] = [
        #"{"type":"batch.succeeded","data":{"name":"batches/1"}}"#,
        #"{}"#, #" { } "#, #"{"a":1}"#, #"[]"#, #"[1,2]"#, #""text""#, #"12"#, #"-0.5e-3"#, #"true"#, #"null"#,
        #"{"type":1}"#, #"{"type":"a","type":"b"}"#, #"{"type":"a","type":null}"#, #"{"typ\u0065":"escaped name"}"#,
        #"{"type":"caf\u00e9 \ud83d\ude00 \ud800"}"#, #"{"data":{"type":"nested"}}"#, #"{"type":{"type":"x"}}"#,
        #"{"n":1e999,"m":-1e-999,"z":-0}"#, #"{"n":123456789012345678901234567890}"#,
        "", "{", "}", #"{"a":}"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{,}"#, "[1,]", "01", "1.", "1e", "-", "+1", ".5",
        #""\x""#, #"{"a":1} x"#, "tru", "nul", #""unterminated"#, "\"tab\there\"", #"{"a":"\u12"}"#, #"{"a":"\uZZZZ"}"#,
        #"{"a":[}"#, #"{"a":{]}"#, "{\"a\":\"line\nbreak\"}", #"{'a':1}"#, "{\"a\":1}\u{0}",
    ]

    @Test(arguments: documents)
    func agreesWithTheParser(text: String) {
        let bytes = Array(text.utf8)
        #expect(JSONEventScan(bytes) == Self.parserVerdict(bytes))
    }

    @Test(arguments: [
        [0xFF], [0xC3], [0xC0, 0x80], [0xC1, 0xBF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xE0, 0x80, 0x80],
        [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x80],
        [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xED, 0x9F, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
    ] as [[UInt8]])
    func agreesOnUTF8InStrings(sequence: [UInt8]) {
        for template in [(#"{"type":"x"#, #""}"#), (#"{"x"#, #"":1}"#), (#"["#, #""]"#)] {
            let bytes = Array(template.0.utf8) + sequence + Array(template.1.utf8)
            #expect(JSONEventScan(bytes) == Self.parserVerdict(bytes), "bytes \(sequence)")
        }
    }

    @Test(arguments: [510, 511, 512, 513])
    func agreesOnTheNestingLimit(depth: Int) {
        let arrays = Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        #expect(JSONEventScan(arrays) == Self.parserVerdict(arrays))
        let objects = Array((String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)).utf8)
        #expect(JSONEventScan(objects) == Self.parserVerdict(objects))
    }

    @Test func readsTheLastTopLevelStringType() {
        #expect(JSONEventScan(Array(#"{"type":"a","data":{"type":"b"},"type":"c"}"#.utf8)) == .object(type: "c"))
        #expect(JSONEventScan(Array(#"{"type":"a","type":7}"#.utf8)) == .object(type: ""))
        #expect(JSONEventScan(Array(#"{"type":"video.generated"}"#.utf8)) == .object(type: "video.generated"))
    }

    /// Seeded mutations of a real event body: truncation, byte flips and insertions.
    @Test func agreesWithTheParserOnMutatedEvents() {
        let seed: UInt64 = 0x5EED_0001
        var random = SeededRandom(seed: seed)
        let event = Array(#"{"type":"batch.succeeded","id":"evt_1","data":{"name":"batches/abc","stats":[1,2.5e3,-0],"ok":true,"note":"caf\u00e9 é \"q\""}}"#.utf8)
        let alphabet = Array(#"{}[]",:\/-+.eE0123456789tfnu aZ"#.utf8) + [0x00, 0x0A, 0x7F, 0x80, 0xC3, 0xA9, 0xED, 0xFF]
        for round in 0..<5000 {
            var bytes = event
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[position] = alphabet.randomElement(using: &random)!
                case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                case 2: bytes.remove(at: position)
                default: bytes = Array(bytes[..<position])
                }
                if bytes.isEmpty { break }
            }
            let scanned = JSONEventScan(bytes)
            let parsed = Self.parserVerdict(bytes)
            #expect(scanned == parsed, "seed \(seed) round \(round): \(String(decoding: bytes, as: UTF8.self))")
            if scanned != parsed { return }
        }
    }
}
