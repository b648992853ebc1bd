/// What a Standard Webhooks signature covers: the webhook id, its timestamp and the raw body.
public struct SignedContent: Sendable, Equatable {
    /// The `webhook-id`.
    public var id: String
    /// The `webhook-timestamp`, unix seconds.
    public var timestamp: Int64
    /// The raw body, byte for byte.
    public var body: [UInt8]

    /// Creates the content to sign or verify.
    public init(id: String, timestamp: Int64, body: [UInt8]) {
        self.id = id
        self.timestamp = timestamp
        self.body = body
    }

    /// The signed bytes: `{id}.{timestamp}.{body}`.
    public var signedBytes: [UInt8] {
        Self.signedBytes(id: id, timestampText: String(timestamp), body: body)
    }

    /// Built from the timestamp text as received, so verification covers exactly what was sent.
    static func signedBytes(id: String, timestampText: String, body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(id.utf8.count + timestampText.utf8.count + body.count + 2)
        bytes.append(contentsOf: id.utf8)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: timestampText.utf8)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: body)
        return bytes
    }
}
