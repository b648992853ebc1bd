import NIOHTTP1

/// The request headers the ingress path reads, gathered in one pass over the fields.
///
/// Looking names up one by one scans every field and builds a joined String on each call, and
/// the ingress path reads four names per request. Repeated fields are joined with ", ", as
/// HTTP joins repeated fields, so the value verified is the one a sender's library signed —
/// except `webhook-signature`, whose entries are separated by spaces: two such fields are two
/// lists of entries, and a comma would stick to the first one's last entry and spoil it.
struct WebhookHeaders {
    var id: String?
    var timestamp: String?
    var signature: String?
    var contentLength: String?
    var contentEncoding: String?
    var expect: String?

    /// From NIO's request head; names match regardless of case.
    init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            switch name.utf8.count {
            case 6 where Self.equalsLowercased(name, "expect"):
                Self.add(value, to: &expect)
            case 10 where Self.equalsLowercased(name, "webhook-id"):
                Self.add(value, to: &id)
            case 14 where Self.equalsLowercased(name, "content-length"):
                Self.add(value, to: &contentLength)
            case 16 where Self.equalsLowercased(name, "content-encoding"):
                Self.add(value, to: &contentEncoding)
            case 17 where Self.equalsLowercased(name, "webhook-timestamp"):
                Self.add(value, to: &timestamp)
            case 17 where Self.equalsLowercased(name, "webhook-signature"):
                Self.add(value, to: &signature, separator: " ")
            default:
                continue
            }
        }
    }

    private static func add(_ value: String, to slot: inout String?, separator: String = ", ") {
        // A field value excludes the whitespace around it (RFC 9110 §5.5); NIO's decoder drops
        // the leading part only. Rare, so the common value is not copied.
        var value = value
        if let last = value.utf8.last, Self.isWhitespace(last) {
            let bytes = value.utf8
            var end = bytes.endIndex
            while end > bytes.startIndex, Self.isWhitespace(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
            value = String(decoding: bytes[..<end], as: UTF8.self)
        }
        if let existing = slot {
            slot = existing + separator + value
        } else {
            slot = value
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// ASCII case-insensitive comparison with an already lowercase name.
    private static func equalsLowercased(_ name: String, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return name.utf8.elementsEqual(expected) { byte, wanted in
            byte == wanted || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte | 0x20 == wanted)
        }
    }
}
