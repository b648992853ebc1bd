/// Why a byte sequence is not a JSON document, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Zero-based byte offset of the problem in the input.
    public var offset: Int
    /// What was wrong, in words.
    public var message: String

    /// Creates an error at `offset`.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// "invalid JSON at byte N: message".
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
