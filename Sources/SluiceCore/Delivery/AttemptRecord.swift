import Foundation

/// One line of a delivery's attempt log (`sluice events show`), stored as compact JSON.
///
/// JSON keys: `at`, `attempt`, `status`, `duration_ms`, `error`, `headers`, `outcome`, `reason`;
/// absent optionals are omitted. Never holds a body or a secret; of the response's headers only
/// the few in ``keptResponseHeaders``.
public struct AttemptRecord: Sendable, Equatable, Codable {
    /// What the attempt led to.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// A 2xx: the delivery is done.
        case delivered
        /// A failure with attempts left: the delivery waits in the retry set.
        case retry
        /// The delivery went to the dead-letter stream (see `reason`).
        case deadLetter = "dead_letter"
    }

    /// When the attempt started, unix milliseconds.
    public var atMillis: Int64
    /// The 1-based attempt number.
    public var attempt: Int
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// How long the attempt took, milliseconds.
    public var durationMillis: Int64
    /// The transport error or failure explanation, safe to log.
    public var error: String?
    /// What the attempt led to.
    public var outcome: Outcome
    /// Why it was dead-lettered, for `.deadLetter`.
    public var reason: DeadLetterReason?
    /// The response's headers among ``keptResponseHeaders`` (names lowercased), when it sent any.
    public var responseHeaders: [String: String]?

    /// The response headers an attempt keeps: why a retry waits (`retry-after`), where a moved
    /// endpoint points (`location`), and the ids that find the request in the tenant's own logs.
    /// Anything else the endpoint sends is dropped as it arrives.
    public static let keptResponseHeaders = ["retry-after", "location", "x-request-id", "x-correlation-id"]
    /// The longest header value kept, in bytes; longer ones are cut.
    public static let keptHeaderValueLimit = 256

    /// Creates a record.
    public init(
        atMillis: Int64,
        attempt: Int,
        status: Int?,
        durationMillis: Int64,
        error: String?,
        outcome: Outcome,
        reason: DeadLetterReason? = nil,
        responseHeaders: [String: String]? = nil
    ) {
        self.atMillis = atMillis
        self.attempt = attempt
        self.status = status
        self.durationMillis = durationMillis
        self.error = error
        self.outcome = outcome
        self.reason = reason
        // None kept is written as no key at all; nil reads back the same.
        self.responseHeaders = responseHeaders?.isEmpty == true ? nil : responseHeaders
    }

    /// `value` cut to at most ``keptHeaderValueLimit`` bytes of UTF-8, between Unicode scalars.
    public static func keptHeaderValue(_ value: some StringProtocol) -> String {
        guard value.utf8.count > keptHeaderValueLimit else { return String(value) }
        var kept = ""
        var bytes = 0
        for scalar in value.unicodeScalars {
            bytes += String(scalar).utf8.count
            if bytes > keptHeaderValueLimit { break }
            kept.unicodeScalars.append(scalar)
        }
        return kept
    }

    enum CodingKeys: String, CodingKey {
        case atMillis = "at"
        case attempt
        case status
        case durationMillis = "duration_ms"
        case error
        case outcome
        case reason
        case responseHeaders = "headers"
    }

    /// Compact JSON with sorted keys, one line, for the attempt log.
    ///
    /// Written by hand because it runs once per attempt: byte for byte what `JSONEncoder` with
    /// `[.sortedKeys, .withoutEscapingSlashes]` produces (keys in sorted order, `\b \t \n \f \r`
    /// short escapes, other control characters as `\u00xx`), at a fraction of the cost.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + (error?.utf8.count ?? 0))
        out.append(contentsOf: #"{"at":"#.utf8)
        out.append(contentsOf: String(atMillis).utf8)
        out.append(contentsOf: #","attempt":"#.utf8)
        out.append(contentsOf: String(attempt).utf8)
        out.append(contentsOf: #","duration_ms":"#.utf8)
        out.append(contentsOf: String(durationMillis).utf8)
        if let error {
            out.append(contentsOf: #","error":"#.utf8)
            Self.appendJSONString(error, to: &out)
        }
        if let responseHeaders, !responseHeaders.isEmpty {
            out.append(contentsOf: #","headers":{"#.utf8)
            for (index, name) in responseHeaders.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendJSONString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                Self.appendJSONString(responseHeaders[name] ?? "", to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #","outcome":"#.utf8)
        Self.appendJSONString(outcome.rawValue, to: &out)
        if let reason {
            out.append(contentsOf: #","reason":"#.utf8)
            Self.appendJSONString(reason.rawValue, to: &out)
        }
        if let status {
            out.append(contentsOf: #","status":"#.utf8)
            out.append(contentsOf: String(status).utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Appends `text` as a JSON string literal, escaped as `JSONEncoder` escapes it.
    private static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                out.append(contentsOf: "\\u00".utf8)
                hex.withUTF8Buffer { digits in
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0xF)])
                }
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Decodes a line written by ``jsonBytes()``; nil when it is not one.
    public init?(json: [UInt8]) {
        guard let record = try? JSONDecoder().decode(AttemptRecord.self, from: Data(json)) else { return nil }
        self = record
    }
}
