/// One reply from Redis (RESP2), copied out of hiredis so it can cross threads.
public enum RedisReply: Sendable, Hashable {
    /// A bulk string: raw bytes, binary safe.
    case string([UInt8])
    /// A status reply such as `OK` or `PONG`.
    case status(String)
    /// An integer reply.
    case integer(Int64)
    /// An array reply (stream entries, XRANGE, EXEC, …).
    case array([RedisReply])
    /// A nil bulk string or nil array.
    case null
    /// An error reply, without its leading `-` (e.g. `ERR unknown command`).
    case error(String)

    /// A Redis Cluster's redirection (`MOVED …` or `ASK …`): the slot lives on another node now.
    public var isMovedSlot: Bool {
        guard case .error(let message) = self else { return false }
        return message.hasPrefix("MOVED ") || message.hasPrefix("ASK ")
    }

    /// The text of a bulk string (decoded as UTF-8, invalid sequences repaired) or of a status reply.
    public var string: String? {
        switch self {
        case .string(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The raw bytes of a bulk string, or the UTF-8 bytes of a status reply.
    public var bytes: [UInt8]? {
        switch self {
        case .string(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    /// An integer reply, or a bulk string holding a decimal integer (as `GET` of a counter returns).
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .string(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The elements of an array reply.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is a nil reply.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The message of an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
