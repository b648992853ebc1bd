/// Small JSON response bodies, written by hand: this runs for every request, and
/// JSONSerialization's bridging costs more than the rest of a 202 put together.
enum JSONBody {
    /// `{"k":v,…}` with keys in the given order; values are strings or booleans.
    static func encode(_ fields: KeyValuePairs<String, JSONScalar>) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(64)
        var first = true
        for (key, value) in fields {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            switch value {
            case .string(let text): appendString(text, to: &out)
            case .bool(let flag): out.append(contentsOf: Array((flag ? "true" : "false").utf8))
            }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    enum JSONScalar {
        case string(String)
        case bool(Bool)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped (ids come from request headers).
    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xf)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
