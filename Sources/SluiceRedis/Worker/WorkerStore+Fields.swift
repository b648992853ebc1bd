import Foundation
public import SluiceCore

/// Field names of a dead-letter stream entry beyond the delivery's own (`Delivery.FieldName`).
public enum DeadLetterFieldName {
    /// `DeadLetterReason` raw value.
    public static let reason = "reason"
    /// Attempts made before the delivery died.
    public static let attempts = "attempts"
    /// When it was dead-lettered, unix ms.
    public static let deadLetteredAt = "dead_lettered_at"
}

/// Field names of the event record hash (`{P}:v1:event:<webhook-id>`) that routers wrote before
/// the record moved into the event's log; read for events routed by those versions only.
public enum EventRecordFieldName {
    public static let webhookID = "webhook_id"
    public static let source = "source"
    public static let channel = "channel"
    public static let type = "type"
    public static let receivedAt = "received_at"
    public static let routedAt = "routed_at"
    /// Comma-separated `tenant/endpoint`; "" when the event matched no route.
    public static let targets = "targets"
}

extension WorkerStore {
    /// Fields as a name → bytes map; a repeated name keeps its last value.
    static func fieldMap(_ fields: [RedisReply]) -> [String: [UInt8]] {
        var map: [String: [UInt8]] = [:]
        var index = 0
        while index + 1 < fields.count {
            if let name = fields[index].string, let value = fields[index + 1].bytes {
                map[name] = value
            }
            index += 2
        }
        return map
    }

    /// Several field lists as script arguments: how many lists, then per list its pair count and
    /// its pairs (name, value, …).
    static func appendSections(_ lists: [[(String, [UInt8])]], to arguments: inout RESPArguments) {
        arguments.append(Int64(lists.count))
        for fields in lists {
            arguments.append(Int64(fields.count))
            for (name, value) in fields {
                arguments.append(name)
                arguments.append(value)
            }
        }
    }

    /// The dead-letter entry fields of `delivery`.
    static func deadLetterFields(
        _ delivery: Delivery,
        reason: DeadLetterReason,
        attempts: Int,
        nowMillis: Int64
    ) -> [(String, [UInt8])] {
        delivery.fields() + [
            (DeadLetterFieldName.reason, Array(reason.rawValue.utf8)),
            (DeadLetterFieldName.attempts, Array(String(attempts).utf8)),
            (DeadLetterFieldName.deadLetteredAt, Array(String(nowMillis).utf8)),
        ]
    }

    /// Decodes a dead-letter stream entry; nil when it is not one.
    static func deadLetter(from entry: RedisStreamEntry) -> DeadLetterEntry? {
        var fields = fieldMap(entry.fields)
        guard let reasonText = fields[DeadLetterFieldName.reason].map({ String(decoding: $0, as: UTF8.self) }),
            let reason = DeadLetterReason(rawValue: reasonText),
            let attempts = fields[DeadLetterFieldName.attempts].flatMap({ Int(String(decoding: $0, as: UTF8.self)) }),
            let deadLetteredAt = fields[DeadLetterFieldName.deadLetteredAt].flatMap({ Int64(String(decoding: $0, as: UTF8.self)) })
        else { return nil }
        if reason == .undecodable {
            // Whatever the unreadable entry carried, under `raw:`; the rest stays empty.
            func raw(_ names: String...) -> [UInt8]? { names.lazy.compactMap { fields["raw:" + $0] }.first }
            func text(_ name: String, or other: String? = nil) -> String {
                (fields["raw:" + name] ?? other.flatMap { fields["raw:" + $0] }).map { String(decoding: $0, as: UTF8.self) } ?? ""
            }
            let event = IngressEvent(
                webhookID: text(Delivery.FieldName.webhookID, or: "id"), source: text(Delivery.FieldName.source), channel: nil,
                eventType: text(Delivery.FieldName.eventType), webhookTimestamp: 0, receivedAtMillis: 0,
                body: raw(Delivery.FieldName.body) ?? [])
            let delivery = Delivery(
                ingressID: fields["undecodable_id"].map { String(decoding: $0, as: UTF8.self) } ?? "",
                event: event, target: EndpointRef(tenant: text(Delivery.FieldName.tenant), endpoint: text(Delivery.FieldName.endpoint)))
            return DeadLetterEntry(
                id: entry.id, delivery: delivery, reason: reason, lastStatus: nil,
                lastError: "the \(fields["undecodable_stream"].map { String(decoding: $0, as: UTF8.self) } ?? "stream") entry could not be decoded",
                attempts: attempts, deadLetteredAtMillis: deadLetteredAt)
        }
        // A `no_route` dead letter has no target, which `Delivery(fields:)` rejects: decode it
        // with a stand-in and put the empty target back.
        let tenant = fields[Delivery.FieldName.tenant] ?? []
        let endpoint = fields[Delivery.FieldName.endpoint] ?? []
        let targetless = tenant.isEmpty && endpoint.isEmpty
        if targetless {
            fields[Delivery.FieldName.tenant] = Array("-".utf8)
            fields[Delivery.FieldName.endpoint] = Array("-".utf8)
        }
        guard var delivery = Delivery(fields: fields) else { return nil }
        if targetless {
            delivery.target = EndpointRef(tenant: "", endpoint: "")
        }
        return DeadLetterEntry(
            id: entry.id,
            delivery: delivery,
            reason: reason,
            lastStatus: delivery.lastStatus,
            lastError: delivery.lastError,
            attempts: attempts,
            deadLetteredAtMillis: deadLetteredAt
        )
    }

    /// Decodes a legacy event record hash (HGETALL reply); nil when it is empty or malformed.
    static func eventRecord(webhookID: String, from fields: [RedisReply]) -> EventRecord? {
        let map = fieldMap(fields)
        func text(_ name: String) -> String? { map[name].map { String(decoding: $0, as: UTF8.self) } }
        guard let source = text(EventRecordFieldName.source),
            let receivedAt = text(EventRecordFieldName.receivedAt).flatMap({ Int64($0) }),
            let routedAt = text(EventRecordFieldName.routedAt).flatMap({ Int64($0) })
        else { return nil }
        let channel = text(EventRecordFieldName.channel) ?? ""
        let targets = EndpointRef.list(parsing: text(EventRecordFieldName.targets) ?? "")
        return EventRecord(
            webhookID: text(EventRecordFieldName.webhookID) ?? webhookID,
            source: source,
            channel: channel.isEmpty ? nil : channel,
            eventType: text(EventRecordFieldName.type) ?? "",
            receivedAtMillis: receivedAt,
            routedAtMillis: routedAt,
            targets: targets
        )
    }

    /// One attempt log line: the record's JSON object with `"target": "tenant/endpoint"` first.
    static func attemptLine(target: EndpointRef, record: AttemptRecord) -> [UInt8] {
        let json = record.jsonBytes()
        guard json.first == UInt8(ascii: "{") else { return json }
        let rest = json.dropFirst()
        var line: [UInt8] = []
        line.reserveCapacity(16 + target.tenant.utf8.count + target.endpoint.utf8.count + json.count)
        line.append(contentsOf: #"{"target":"#.utf8)
        appendJSONString(target, to: &line)
        if rest.first != UInt8(ascii: "}") { line.append(UInt8(ascii: ",")) }
        line.append(contentsOf: rest)
        return line
    }

    /// Appends `text` as a JSON string literal to `out` (quotes, backslashes and control characters
    /// escaped); cheaper than a `JSONEncoder` on the routing and completion paths.
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendJSONEscaped(text, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `ref` as the JSON string `"tenant/endpoint"` (its `description`) to `out`.
    static func appendJSONString(_ ref: EndpointRef, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendJSONEscaped(ref.tenant, to: &out)
        out.append(UInt8(ascii: "/"))
        appendJSONEscaped(ref.endpoint, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    private static func appendJSONEscaped(_ text: String, to out: inout [UInt8]) {
        // Names and ids almost never need escaping: then one copy instead of a byte at a time.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: text.utf8)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private struct AttemptTarget: Decodable {
        var target: String
    }

    /// Decodes a line written by ``attemptLine(target:record:)``; nil when it is not one.
    static func loggedAttempt(from line: [UInt8]) -> LoggedAttempt? {
        guard let record = AttemptRecord(json: line),
            let target = try? JSONDecoder().decode(AttemptTarget.self, from: Data(line)),
            let ref = EndpointRef(parsing: target.target)
        else { return nil }
        return LoggedAttempt(target: ref, record: record)
    }
}

extension Duration {
    /// Whole milliseconds between 1 and about 100 years (PEXPIRE refuses 0 and expiry times
    /// that overflow).
    var expiryMillis: Int64 {
        min(max(1, nonNegativeMillis), 100 * 365 * 86_400_000)
    }

    /// Whole milliseconds, not below 0.
    var nonNegativeMillis: Int64 { max(0, wholeMilliseconds) }
}
