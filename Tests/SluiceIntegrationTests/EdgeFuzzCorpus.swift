import Foundation
import SluiceCore
import SluiceTesting

/// One hostile (or, as a control, well-formed) request for the edge, and what may come back.
struct EdgeFuzzCase: Sendable {
    let name: String
    let id: String
    let bytes: [UInt8]
    /// Status codes the edge may answer with.
    let allowed: Set<Int>
    /// Whether closing the connection without an answer is acceptable (broken HTTP framing).
    let mayClose: Bool
    /// True only when the signature is valid for exactly these bytes: the one case the edge may store.
    let verifiable: Bool
    /// Which generator made it (for the coverage check).
    var kind = 0
}

/// Seeded mutations of a signed Gemini request: headers, signatures, timestamps and bodies.
///
/// Bodies that are mutated and then signed again reach JSON validation; bodies mutated after
/// signing must fail verification. The seed is in the test name so a failure can be replayed.
struct EdgeFuzzCorpus {
    let secret: WebhookSecret
    let now: Int64
    private var rng: SeededRandom
    private var counter = 0

    init(secret: WebhookSecret, now: Int64, seed: UInt64) {
        self.secret = secret
        self.now = now
        rng = SeededRandom(seed: seed)
    }

    /// `count` cases, a mix of every kind.
    mutating func cases(count: Int) -> [EdgeFuzzCase] {
        (0..<count).map { _ in next() }
    }

    private mutating func next() -> EdgeFuzzCase {
        counter += 1
        let kind = Int.random(in: 0..<Self.kinds, using: &rng)
        var fuzz = make(kind: kind, id: "msg_fuzz_\(counter)")
        fuzz.kind = kind
        return fuzz
    }

    /// How many generators ``make(kind:id:)`` has.
    static let kinds = 12

    private mutating func make(kind: Int, id: String) -> EdgeFuzzCase {
        let body = Array(#"{"type":"batch.succeeded","data":{"name":"batches/\#(counter)"}}"#.utf8)
        switch kind {
        case 0:
            return signed("control", id: id, body: body, allowed: [202], verifiable: true)
        case 1:
            let header = ["webhook-id", "webhook-timestamp", "webhook-signature"].randomElement(using: &rng)!
            var request = signedHeaders(id: id, body: body)
            request.removeAll { $0.name == header }
            return make("missing \(header)", id: id, headers: request, body: body, allowed: [400])
        case 2:
            var request = signedHeaders(id: id, body: body)
            request[2].value = garbageSignature()
            return make("garbage signature", id: id, headers: request, body: body, allowed: [400, 401])
        case 3:
            let timestamp = [
                "", "abc", "-1", "99999999999999999999999", "1e9", "\(now)x", "\(now - 301)", "\(now + 301)", "0x10", "\(now).5",
            ].randomElement(using: &rng)!
            let signature = WebhookSigner.signatureHeader(for: SignedContent(id: id, timestamp: now, body: body), secrets: [secret])
            let headers = [Header("webhook-id", id), Header("webhook-timestamp", timestamp), Header("webhook-signature", signature)]
            return make("timestamp \(timestamp.debugDescription)", id: id, headers: headers, body: body, allowed: [400, 401])
        case 4:
            var request = signedHeaders(id: id, body: body)
            let index = Int.random(in: 0..<request.count, using: &rng)
            let original = request[index].value
            request[index].value = mutate(Array(original.utf8), keepLines: true).asLatin1
            if request[index].value == original { request[index].value += "x" }
            // A mutated webhook-id is signed for the original id, so this never verifies.
            return make("mutated \(request[index].name)", id: id, headers: request, body: body, allowed: [400, 401], mayClose: true)
        case 5:
            // Invalid bytes (NUL, DEL, high bytes, a colon) inside the name or value of a signed header.
            var lines = signedHeaders(id: id, body: body).map { Array("\($0.name): \($0.value)".utf8) }
            let line = Int.random(in: 0..<lines.count, using: &rng)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                lines[line].insert([0, 0x7F, 0xFF, 0xC3, UInt8(ascii: ":")].randomElement(using: &rng)!, at: Int.random(in: 1..<lines[line].count, using: &rng))
            }
            let bytes = rawRequest(headerLines: lines, body: body)
            return EdgeFuzzCase(name: "invalid bytes in a header", id: id, bytes: bytes, allowed: [400, 401], mayClose: true, verifiable: false)
        case 6:
            let cut = Int.random(in: 0..<body.count, using: &rng)
            return signed("truncated JSON", id: id, body: Array(body[..<cut]), allowed: [400], verifiable: true)
        case 7:
            let depth = [600, 5_000, 200_000].randomElement(using: &rng)!
            let opener = Bool.random(using: &rng) ? #"{"a":"# : "["
            let nested = Array((#"{"type":"x","deep":"# + String(repeating: opener, count: depth)).utf8)
            return signed("nesting \(depth) deep", id: id, body: nested, allowed: [400, 413], verifiable: true)
        case 8:
            let notObject = ["[]", "\"batch\"", "42", "null", "true", "", " ", "{}{}"].randomElement(using: &rng)!
            return signed("not an object: \(notObject.debugDescription)", id: id, body: Array(notObject.utf8), allowed: [400], verifiable: true)
        case 9:
            let bad: [UInt8] = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]].randomElement(using: &rng)!
            let invalid = Array(#"{"type":"batch.succeeded","name":""#.utf8) + bad + Array(#""}"#.utf8)
            return signed("invalid UTF-8 in a string", id: id, body: invalid, allowed: [400], verifiable: true)
        case 10:
            // Valid JSON at the edges of what parsers accept: storing it is fine, a 400 is too.
            let extreme = [
                #"{"type":"batch.succeeded","n":1e999999}"#, #"{"type":"batch.succeeded","n":-1e-999999}"#,
                #"{"type":"batch.succeeded","n":123456789012345678901234567890123456789}"#,
                #"{"type":"a","type":"b"}"#, #"{"type":"\ud800"}"#, #"{"\u0000":"\u0000","type":"x"}"#,
            ].randomElement(using: &rng)!
            return signed("extreme JSON \(extreme)", id: id, body: Array(extreme.utf8), allowed: [202, 400], verifiable: true)
        default:
            // Mutated after signing: whatever the bytes now say, the signature no longer covers them.
            let headers = signedHeaders(id: id, body: body)
            var tampered = mutate(body, keepLines: false)
            if tampered == body { tampered.append(UInt8(ascii: " ")) }
            return make("body changed after signing", id: id, headers: headers, body: tampered, allowed: [401])
        }
    }

    static let anyClientError = Set(400..<500)

    struct Header {
        var name: String
        var value: String
        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    private func signedHeaders(id: String, body: [UInt8]) -> [Header] {
        let signature = WebhookSigner.signatureHeader(for: SignedContent(id: id, timestamp: now, body: body), secrets: [secret])
        return [Header("webhook-id", id), Header("webhook-timestamp", String(now)), Header("webhook-signature", signature)]
    }

    private func signed(_ name: String, id: String, body: [UInt8], allowed: Set<Int>, verifiable: Bool) -> EdgeFuzzCase {
        EdgeFuzzCase(
            name: name, id: id, bytes: rawRequest(headers: signedHeaders(id: id, body: body), body: body),
            allowed: allowed, mayClose: false, verifiable: verifiable)
    }

    private func make(_ name: String, id: String, headers: [Header], body: [UInt8], allowed: Set<Int>, mayClose: Bool = false) -> EdgeFuzzCase {
        EdgeFuzzCase(name: name, id: id, bytes: rawRequest(headers: headers, body: body), allowed: allowed, mayClose: mayClose, verifiable: false)
    }

    func rawRequest(path: String = "/webhooks/gemini", headers: [Header], body: [UInt8]) -> [UInt8] {
        // Latin-1 keeps mutated header bytes as they are (Swift strings would re-encode them as UTF-8).
        rawRequest(path: path, headerLines: headers.map { "\($0.name): \($0.value)".unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } }, body: body)
    }

    func rawRequest(path: String = "/webhooks/gemini", headerLines: [[UInt8]], body: [UInt8]) -> [UInt8] {
        var bytes = Array("POST \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\n".utf8)
        for line in headerLines { bytes += line + [0x0D, 0x0A] }
        bytes += Array("content-length: \(body.count)\r\n\r\n".utf8)
        return bytes + body
    }

    private mutating func garbageSignature() -> String {
        let random = (0..<Int.random(in: 0...90, using: &rng)).map { _ in UInt8.random(in: 0x21...0x7E, using: &rng) }
        let text = String(decoding: random, as: UTF8.self)
        return [
            text, "v1,\(text)", "v1a,\(text)", "v2,\(Data(random).base64EncodedString())",
            "v1,\(Data(random).base64EncodedString())", String(repeating: "v1,AAAA ", count: 500), "v1,", ",", "v1 v1 v1",
        ].randomElement(using: &rng)!
    }

    /// Flips, drops or inserts a few bytes; `keepLines` avoids CR and LF (which would split headers).
    private mutating func mutate(_ input: [UInt8], keepLines: Bool) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            var byte = UInt8.random(in: 0...255, using: &rng)
            // In a header value CR and LF would split the header, and leading or trailing blanks
            // are trimmed by the parser, leaving the signed value intact: use a visible byte instead.
            if keepLines && [0x0D, 0x0A, 0x20, 0x09].contains(byte) { byte = UInt8(ascii: "x") }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = byte
            case 1 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng))
            default: bytes.insert(byte, at: Int.random(in: 0...bytes.count, using: &rng))
            }
        }
        return bytes
    }
}

private extension [UInt8] {
    /// Each byte as the scalar with the same value, so ``EdgeFuzzCorpus/rawRequest`` writes it back unchanged.
    var asLatin1: String { String(String.UnicodeScalarView(map { Unicode.Scalar($0) })) }
}
