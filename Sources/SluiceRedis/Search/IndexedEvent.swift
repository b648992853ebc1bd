public import SluiceCore

/// One entry of a partition's search index (`{P}:v1:event-index`, `worker.event_index`): a
/// routed event's id, source, type and targets — no body — under an entry id that says when it
/// was routed.
public struct IndexedEvent: Sendable, Equatable {
    /// The index entry's id; its time part is when the event was routed (unix ms).
    public var indexID: String
    /// The partition whose index holds it (and whose keys hold its log).
    public var partition: Int
    public var webhookID: String
    public var source: String
    public var eventType: String
    /// The endpoints it was routed to; empty for `no_route`.
    public var targets: [EndpointRef]

    public init(indexID: String, partition: Int, webhookID: String, source: String, eventType: String, targets: [EndpointRef]) {
        self.indexID = indexID
        self.partition = partition
        self.webhookID = webhookID
        self.source = source
        self.eventType = eventType
        self.targets = targets
    }

    /// When it was routed (unix ms), from its id.
    public var routedAtMillis: Int64 { RedisStreamEntry.millis(ofID: indexID) ?? 0 }

    private enum Field {
        static let id = "id"
        static let source = "source"
        static let type = "type"
        static let targets = "targets"
    }

    /// Appends the route script's index section for `event`, routed to `targets` — one entry: its
    /// pair count, then its fields — straight into the script's arguments.
    static func appendSection(_ event: IngressEvent, targets: [EndpointRef], to arguments: inout RESPArguments) {
        arguments.append(Int64(1))
        arguments.append(Int64(4))
        arguments.append(Field.id)
        arguments.append(event.webhookID)
        arguments.append(Field.source)
        arguments.append(event.source)
        arguments.append(Field.type)
        arguments.append(event.eventType)
        arguments.append(Field.targets)
        arguments.append(EndpointRef.field(targets))
    }

    /// Decodes an index entry of `partition`; nil when it is not one.
    static func decode(_ entry: RedisStreamEntry, partition: Int) -> IndexedEvent? {
        var list = FieldList(entry.fields)
        guard let id = list.value(named: Field.id), let source = list.value(named: Field.source),
            let type = list.value(named: Field.type), let targets = list.value(named: Field.targets)
        else { return nil }
        return IndexedEvent(
            indexID: entry.id, partition: partition, webhookID: String(decoding: id, as: UTF8.self),
            source: String(decoding: source, as: UTF8.self), eventType: String(decoding: type, as: UTF8.self),
            targets: EndpointRef.list(parsing: String(decoding: targets, as: UTF8.self)))
    }
}
