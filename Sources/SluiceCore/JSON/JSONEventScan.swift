/// Checks that a body is one JSON object and reads its top-level `"type"`, without building the
/// document.
///
/// The edge needs exactly this of every call, and building a `JSONValue` (a dictionary and a
/// String per member) was a tenth of its CPU per request. It accepts precisely what
/// `JSONValue(parsing:)` accepts — the same grammar, UTF-8 validation and nesting limit — which
/// the tests check against the parser on shared and random inputs.
public enum JSONEventScan: Equatable, Sendable {
    /// Not JSON (or nested deeper than `JSONValue` allows).
    case invalid
    /// JSON, but not an object.
    case notAnObject
    /// An object; `type` is its last top-level `"type"` member if that is a string, else "".
    case object(type: String)

    public init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONScanCursor(bytes: buffer)
            cursor.skipWhitespace()
            let isObject = cursor.index < buffer.count && buffer[cursor.index] == UInt8(ascii: "{")
            var type: String?
            let valid = isObject ? cursor.object(depth: 0, type: &type) : cursor.value(depth: 0)
            cursor.skipWhitespace()
            guard valid, cursor.index == buffer.count else { return .invalid }
            return isObject ? .object(type: type ?? "") : .notAnObject
        }
    }
}

/// Recursive descent over the bytes, mirroring `JSONByteReader` but keeping nothing.
private struct JSONScanCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    static let maximumDepth = 512

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) -> Bool {
        guard depth < Self.maximumDepth, index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            var ignored: String?
            return object(depth: depth, type: &ignored, topLevel: false)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    /// An object; at the top level it also records each `"type"` member (the last one wins, as
    /// in the parser's dictionary).
    mutating func object(depth: Int, type: inout String?, topLevel: Bool = true) -> Bool {
        guard depth < Self.maximumDepth else { return false }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return true }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
            let nameStart = index
            guard string() else { return false }
            let isType = topLevel && isTypeName(nameStart..<index)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            let valueStart = index
            guard value(depth: depth + 1) else { return false }
            if isType {
                type = bytes[valueStart] == UInt8(ascii: "\"") ? decodedString(valueStart..<index) : ""
            }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return true }
            return false
        }
    }

    mutating func array(depth: Int) -> Bool {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return true }
        while true {
            skipWhitespace()
            guard value(depth: depth + 1) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return true }
            return false
        }
    }

    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] {
            return false
        }
        index += count
        return true
    }

    mutating func number() -> Bool {
        guard let end = JSONNumberGrammar.end(of: bytes, from: index) else { return false }
        index = end
        return true
    }

    /// A string token: escapes well formed, no control characters, valid UTF-8.
    mutating func string() -> Bool {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return true
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { return false }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count, (index..<index + 4).allSatisfy({ Self.isHex(bytes[$0]) }) else { return false }
                    index += 4
                default:
                    return false
                }
            case 0..<0x20:
                return false
            case 0x20..<0x80:
                index += 1
            default:
                guard let length = utf8SequenceLength(at: index) else { return false }
                index += length
            }
        }
        return false
    }

    static func isHex(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }

    /// The length of the well-formed UTF-8 sequence starting at `start` (Unicode table 3-7:
    /// no overlong forms, no surrogates, nothing above U+10FFFF), or nil.
    func utf8SequenceLength(at start: Int) -> Int? {
        let lead = bytes[start]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard start + length <= bytes.count, secondRange.contains(bytes[start + 1]) else { return nil }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[start + offset]) {
            return nil
        }
        return length
    }

    /// Whether the string token in `range` (quotes included) says `type`, escapes decoded.
    func isTypeName(_ range: Range<Int>) -> Bool {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        if raw.count == 6 { return raw.elementsEqual("\"type\"".utf8) }
        // Only an escaped spelling such as "typ\u0065" can be longer and still mean `type`.
        return raw.contains(UInt8(ascii: "\\")) && decodedString(range) == "type"
    }

    /// The value of the (already validated) string token in `range`.
    func decodedString(_ range: Range<Int>) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        if !raw.contains(UInt8(ascii: "\\")) {
            return String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
        }
        if case .string(let text)? = try? JSONValue(parsing: Array(raw)) { return text }
        return ""
    }
}
