/// One entry of a Redis stream: its id and its `[name, value, name, value, …]` field list.
public struct RedisStreamEntry: Sendable, Hashable {
    /// The entry id, e.g. `1700000000000-0`.
    public var id: String
    /// The field list, names and values alternating.
    public var fields: [RedisReply]

    /// Creates an entry.
    public init(id: String, fields: [RedisReply]) {
        self.id = id
        self.fields = fields
    }

    /// The value of the first field called `name`.
    public subscript(field name: String) -> RedisReply? {
        var index = 0
        while index + 1 < fields.count {
            if fields[index].string == name { return fields[index + 1] }
            index += 2
        }
        return nil
    }

    /// The time part of a stream id (`<unix ms>-<sequence>`): when Redis added the entry.
    public static func millis(ofID id: some StringProtocol) -> Int64? {
        Int64(id.prefix { $0 != "-" })
    }

    /// Parses the entries of an XRANGE/XREVRANGE reply (`[[id, [fields]], …]`). Entries deleted
    /// while pending (XREADGROUP/XAUTOCLAIM report them with nil fields) get an empty field list.
    public static func entries(from reply: RedisReply) -> [RedisStreamEntry] {
        guard let items = reply.array else { return [] }
        return items.compactMap { item in
            guard let pair = item.array, pair.count == 2, let id = pair[0].string else { return nil }
            return RedisStreamEntry(id: id, fields: pair[1].array ?? [])
        }
    }

    /// Parses an XREAD/XREADGROUP reply (`[[stream, [[id, [fields]], …]], …]`) into entries per
    /// stream name; a nil reply (BLOCK timed out) gives an empty dictionary.
    public static func streams(from reply: RedisReply) -> [String: [RedisStreamEntry]] {
        guard let streams = reply.array else { return [:] }
        var result: [String: [RedisStreamEntry]] = [:]
        for stream in streams {
            guard let pair = stream.array, pair.count == 2, let name = pair[0].string else { continue }
            result[name, default: []] += entries(from: pair[1])
        }
        return result
    }
}
