public import SluiceCore

/// A routed event as the archive keeps it (`{P}:v1:archive`, with `worker.recovery_window`): its
/// fields, body included, and the endpoints it was routed to — what `sluice replay --endpoint`
/// needs to send those deliveries again.
public struct ArchivedEvent: Sendable, Equatable {
    /// The archive entry's id; its time part is when the event was routed (unix ms).
    public var archiveID: String
    /// The ingress entry it was routed from (the deliveries' `ingress_id`).
    public var ingressID: String
    public var event: IngressEvent
    public var targets: [EndpointRef]

    /// The field the targets are kept in, `tenant/endpoint` joined by commas.
    static let targetsField = "targets"

    /// The archive entry's fields for `routing` (which has deliveries): its first delivery's
    /// fields, and every target.
    static func fields(_ routing: EventRouting) -> [(String, [UInt8])] {
        let first = routing.deliveries.first ?? Delivery(ingressID: routing.entry.streamID, event: routing.event, target: EndpointRef(tenant: "-", endpoint: "-"))
        return fields(first: first, targets: routing.deliveries.map(\.target))
    }

    /// The archive entry's fields for an event delivered as `first` to `targets`.
    static func fields(first: Delivery, targets: [EndpointRef]) -> [(String, [UInt8])] {
        first.fields() + [(targetsField, EndpointRef.field(targets))]
    }

    /// Decodes an archive entry; nil when it is not one.
    static func decode(_ entry: RedisStreamEntry) -> ArchivedEvent? {
        var list = FieldList(entry.fields)
        guard let delivery = Delivery(field: { list.value(named: $0) }), let targets = list.value(named: targetsField) else { return nil }
        return ArchivedEvent(
            archiveID: entry.id, ingressID: delivery.ingressID, event: delivery.event,
            targets: EndpointRef.list(parsing: String(decoding: targets, as: UTF8.self)))
    }

    /// When it was routed (unix ms), from its id.
    public var routedAtMillis: Int64 { RedisStreamEntry.millis(ofID: archiveID) ?? 0 }
}

extension WorkerStore {
    /// The event as the archive keeps it (its body included), when it was routed with a
    /// `worker.recovery_window` and is still within it: its log names the archive entry, so this
    /// is two lookups, whatever the archive holds.
    public func archivedEvent(source: String, webhookID: String) async throws(RedisError) -> ArchivedEvent? {
        let value = try await client.send(["GET", RedisArgument(keyspace.eventLog(source: source, webhookID: webhookID))])
        let marker = Array(#"{"archive":""#.utf8)
        guard let bytes = value.bytes,
            let line = Self.logLines(of: bytes).last(where: { $0.starts(with: marker) && $0.count > marker.count + 2 })
        else { return nil }
        let id = String(decoding: line[marker.count..<(line.count - 2)], as: UTF8.self)
        let reply = try await client.send(["XRANGE", RedisArgument(keyspace.archive), RedisArgument(id), RedisArgument(id)])
        return RedisStreamEntry.entries(from: reply).first.flatMap(ArchivedEvent.decode)
    }
}
