import Foundation

/// One line of a delivery's attempt log (`sluice events show`), stored as compact JSON.
///
/// JSON keys: `at`, `attempt`, `status`, `duration_ms`, `error`, `outcome`, `reason`; absent
/// optionals are omitted. Never holds a body, a header or a secret.
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

    /// Creates a record.
    public init(
        atMillis: Int64,
        attempt: Int,
        status: Int?,
        durationMillis: Int64,
        error: String?,
        outcome: Outcome,
        reason: DeadLetterReason? = nil
    ) {
        self.atMillis = atMillis
        self.attempt = attempt
        self.status = status
        self.durationMillis = durationMillis
        self.error = error
        self.outcome = outcome
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case atMillis = "at"
        case attempt
        case status
        case durationMillis = "duration_ms"
        case error
        case outcome
        case reason
    }

    /// Compact JSON with sorted keys, one line, for the attempt log.
    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain integers, strings and enums cannot fail.
        return [UInt8](try! encoder.encode(self))
    }

    /// Decodes a line written by ``jsonBytes()``; nil when it is not one.
    public init?(json: [UInt8]) {
        guard let record = try? JSONDecoder().decode(AttemptRecord.self, from: Data(json)) else { return nil }
        self = record
    }
}
