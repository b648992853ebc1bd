public import SluiceCore

extension IngressEvent {
    /// The field names of an ingress stream entry, as the ingest script writes them.
    public enum StreamField {
        public static let id = "id"
        public static let source = "source"
        public static let channel = "channel"
        public static let type = "type"
        public static let timestamp = "ts"
        public static let receivedAt = "received_at"
        public static let body = "body"
    }

    /// Decodes an ingress stream entry's field list (`[name, value, name, value, …]`, as XRANGE,
    /// XREADGROUP and XAUTOCLAIM return it).
    ///
    /// - Returns: nil when a required field is missing or malformed; an empty `channel` is nil.
    public static func decode(fields: [RedisReply]) -> IngressEvent? {
        // Looked up in the order the ingest script writes them, so each is found at the first pair tried.
        var list = FieldList(fields)
        func text(_ name: String) -> String? {
            list.value(named: name).map { String(decoding: $0, as: UTF8.self) }
        }
        guard let webhookID = text(StreamField.id), let source = text(StreamField.source) else { return nil }
        let channel = text(StreamField.channel) ?? ""
        let eventType = text(StreamField.type) ?? ""
        guard let timestamp = text(StreamField.timestamp).flatMap({ Int64($0) }),
            let receivedAt = text(StreamField.receivedAt).flatMap({ Int64($0) }), UnixMillisRange.plausible.contains(receivedAt),
            let body = list.value(named: StreamField.body)
        else { return nil }
        return IngressEvent(
            webhookID: webhookID,
            source: source,
            channel: channel.isEmpty ? nil : channel,
            eventType: eventType,
            webhookTimestamp: timestamp,
            receivedAtMillis: receivedAt,
            body: body
        )
    }
}
