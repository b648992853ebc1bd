/// Looks values up by name in a stream entry's `[name, value, name, value, …]` reply list
/// without building a dictionary (which hashed a fresh String per field per delivery).
///
/// Each lookup scans from just after the previous match, wrapping around: readers ask for fields
/// in about the order Sluice writes them, so most lookups match at the first pair tried; a name
/// that is not there (an optional field left out) tries every pair. When a name occurs twice
/// (never in entries Sluice writes), the one found first from there wins.
struct FieldList {
    private let fields: [RedisReply]
    private var pairCount: Int { fields.count / 2 }
    /// Pair index after the last match, where the next lookup starts.
    private var next = 0

    init(_ fields: [RedisReply]) {
        self.fields = fields
    }

    /// The raw value of the field called `name`, or nil when there is none (or it is not a bulk string).
    mutating func value(named name: String) -> [UInt8]? {
        let pairs = pairCount
        guard pairs > 0 else { return nil }
        var name = name
        return name.withUTF8 { wanted in
            for step in 0..<pairs {
                let pair = (next + step) % pairs
                // Lengths first: Sluice's field names mostly differ in length, and a lookup for an
                // optional field a delivery leaves out tries every pair.
                guard case .string(let candidate) = fields[2 * pair], candidate.count == wanted.count,
                    candidate.withUnsafeBufferPointer({ $0.elementsEqual(wanted) })
                else { continue }
                guard let value = fields[2 * pair + 1].bytes else { return nil }
                next = (pair + 1) % pairs
                return value
            }
            return nil
        }
    }
}
