extension Delivery {
    /// Field names of a delivery stored as a Redis stream entry or hash.
    public enum FieldName {
        public static let ingressID = "ingress_id"
        public static let tenant = "tenant"
        public static let endpoint = "endpoint"
        public static let attempt = "attempt"
        public static let firstAttemptAt = "first_attempt_at"
        /// Present on a replayed delivery: when its fresh schedule began.
        public static let scheduledAt = "scheduled_at"
        public static let lastStatus = "last_status"
        public static let lastError = "last_error"
        public static let webhookID = "webhook_id"
        public static let source = "source"
        public static let channel = "channel"
        public static let eventType = "type"
        public static let webhookTimestamp = "ts"
        public static let receivedAt = "received_at"
        public static let body = "body"
        /// `1` on a delivery released from its endpoint's waiting line; absent otherwise.
        public static let released = "released"
    }

    /// The delivery as binary-safe field/value pairs for XADD or HSET: what
    /// ``writeFields(to:)`` writes.
    public func fields() -> [(String, [UInt8])] {
        var pairs = FieldPairs()
        writeFields(to: &pairs)
        return pairs.pairs
    }

    /// How many field pairs ``writeFields(to:)`` writes.
    @inlinable
    public var fieldCount: Int {
        var counter = FieldCounter()
        writeFields(to: &counter)
        return counter.count
    }

    /// Writes the delivery's fields to `sink`, in order.
    ///
    /// The body is stored raw (no encoding) and numbers as decimal text. An absent optional
    /// (channel, first attempt, schedule start, last status, last error) and an empty event type are left out
    /// rather than written empty: a first attempt then carries three or four pairs fewer, which Redis
    /// would otherwise take as script arguments, store in the stream entry and write to its
    /// AOF once per delivery. Readers take a missing field for the empty value, as they always
    /// have for entries of older writers.
    ///
    /// Inlinable, so the router's encoder gets a copy specialized for it: this runs for every
    /// field of every delivery it routes.
    @inlinable
    public func writeFields(to sink: inout some DeliveryFieldSink) {
        sink.field(FieldName.ingressID, text: ingressID)
        sink.field(FieldName.tenant, text: target.tenant)
        sink.field(FieldName.endpoint, text: target.endpoint)
        sink.field(FieldName.attempt, number: Int64(attempt))
        if let firstAttemptAtMillis { sink.field(FieldName.firstAttemptAt, number: firstAttemptAtMillis) }
        if let scheduledAtMillis { sink.field(FieldName.scheduledAt, number: scheduledAtMillis) }
        if let lastStatus { sink.field(FieldName.lastStatus, number: Int64(lastStatus)) }
        if let lastError, !lastError.isEmpty { sink.field(FieldName.lastError, text: lastError) }
        sink.field(FieldName.webhookID, text: event.webhookID)
        sink.field(FieldName.source, text: event.source)
        if let channel = event.channel, !channel.isEmpty { sink.field(FieldName.channel, text: channel) }
        if !event.eventType.isEmpty { sink.field(FieldName.eventType, text: event.eventType) }
        sink.field(FieldName.webhookTimestamp, number: event.webhookTimestamp)
        sink.field(FieldName.receivedAt, number: event.receivedAtMillis)
        sink.field(FieldName.body, bytes: event.body)
        if released { sink.field(FieldName.released, bytes: [UInt8(ascii: "1")]) }
    }

    private struct FieldPairs: DeliveryFieldSink {
        var pairs: [(String, [UInt8])] = []
        mutating func field(_ name: String, text value: String) { pairs.append((name, Array(value.utf8))) }
        mutating func field(_ name: String, number value: Int64) { pairs.append((name, Array(String(value).utf8))) }
        mutating func field(_ name: String, bytes value: [UInt8]) { pairs.append((name, value)) }
    }

    @usableFromInline
    struct FieldCounter: DeliveryFieldSink {
        @usableFromInline var count = 0
        @usableFromInline init() {}
        @usableFromInline mutating func field(_ name: String, text value: String) { count += 1 }
        @usableFromInline mutating func field(_ name: String, number value: Int64) { count += 1 }
        @usableFromInline mutating func field(_ name: String, bytes value: [UInt8]) { count += 1 }
    }

    /// Decodes what ``fields()`` wrote.
    ///
    /// - Returns: nil when a required field is missing, a number is not decimal, the attempt is
    ///   not between 1 and 2^31 - 1, or a time is outside ``UnixMillisRange/plausible``.
    ///   A missing or empty optional field reads as nil, so an empty `last_error` cannot be told from none.
    public init?(fields: [String: [UInt8]]) {
        self.init(field: { fields[$0] })
    }

    /// Decodes what ``fields()`` wrote, asking `field` for each value by name (nil: absent), so a
    /// caller holding the raw field list need not build a dictionary first. Same rules as
    /// ``init(fields:)``.
    public init?(field: (String) -> [UInt8]?) {
        func text(_ name: String) -> String? { field(name).map { String(decoding: $0, as: UTF8.self) } }
        func optionalNumber<N: FixedWidthInteger>(_ name: String, as type: N.Type) -> N?? {
            guard let raw = field(name) else { return .none }
            if raw.isEmpty { return .some(nil) }
            guard let value = Self.decimal(raw, as: type) else { return .none }
            return .some(value)
        }
        guard let ingressID = text(FieldName.ingressID),
            let tenant = text(FieldName.tenant), !tenant.isEmpty,
            let endpoint = text(FieldName.endpoint), !endpoint.isEmpty,
            let attemptBytes = field(FieldName.attempt), let attempt = Self.decimal(attemptBytes, as: Int.self),
            Self.attempts.contains(attempt),
            let webhookID = text(FieldName.webhookID),
            let source = text(FieldName.source),
            let timestampBytes = field(FieldName.webhookTimestamp),
            let timestamp = Self.decimal(timestampBytes, as: Int64.self),
            let receivedBytes = field(FieldName.receivedAt),
            let receivedAt = Self.decimal(receivedBytes, as: Int64.self), UnixMillisRange.plausible.contains(receivedAt),
            let body = field(FieldName.body)
        else { return nil }
        // Optional fields may be absent altogether (how `fields()` writes nil) but not malformed.
        let firstAttempt = field(FieldName.firstAttemptAt) == nil ? .some(nil) : optionalNumber(FieldName.firstAttemptAt, as: Int64.self)
        let lastStatus = field(FieldName.lastStatus) == nil ? .some(nil) : optionalNumber(FieldName.lastStatus, as: Int.self)
        let scheduledAt = field(FieldName.scheduledAt) == nil ? .some(nil) : optionalNumber(FieldName.scheduledAt, as: Int64.self)
        guard let firstAttempt, let lastStatus, let scheduledAt,
            firstAttempt.map(UnixMillisRange.plausible.contains) ?? true, scheduledAt.map(UnixMillisRange.plausible.contains) ?? true
        else { return nil }
        let channel = text(FieldName.channel) ?? ""
        let lastError = text(FieldName.lastError) ?? ""
        self.init(
            ingressID: ingressID,
            event: IngressEvent(
                webhookID: webhookID,
                source: source,
                channel: channel.isEmpty ? nil : channel,
                eventType: text(FieldName.eventType) ?? "",
                webhookTimestamp: timestamp,
                receivedAtMillis: receivedAt,
                body: body
            ),
            target: EndpointRef(tenant: tenant, endpoint: endpoint),
            attempt: attempt,
            firstAttemptAtMillis: firstAttempt,
            lastStatus: lastStatus,
            lastError: lastError.isEmpty ? nil : lastError,
            scheduledAtMillis: scheduledAt
        )
        released = field(FieldName.released) == [UInt8(ascii: "1")]
    }

    /// The attempt numbers an entry may carry: a schedule's length fits far below the top, and
    /// `attempt + 1` cannot overflow.
    static let attempts = 1...Int(Int32.max)

    /// Strict decimal: an optional `-` and ASCII digits only (no `+`, spaces or hex); nil on overflow.
    /// Parsed from the bytes directly, without a String in between (this runs per field per delivery).
    static func decimal<N: FixedWidthInteger>(_ bytes: [UInt8], as type: N.Type) -> N? {
        let negative = bytes.first == UInt8(ascii: "-")
        let digits = negative ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty else { return nil }
        var value: N = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = N(byte - UInt8(ascii: "0"))
            let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (next, carried) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowed, !carried else { return nil }
            value = next
        }
        return value
    }
}
