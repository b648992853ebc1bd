import Foundation
public import SluiceCore

// The router's record of an event is the first line of the event's log, which follows the
// acceptance time in the event's key (`{P}:v1:dedupe:<source>:<webhook-id>`), ahead of its
// attempt lines: no key of its own, one APPEND per routing. A line is one JSON object and ends
// in a newline, readable with `redis-cli GET`:
//
//   {"event":{"webhook_id":"msg_1","source":"gemini","channel":"acme","type":"batch.succeeded",
//             "received_at":1764000000000,"routed_at":1764000000100,"targets":["acme/main"]}}
//
// Attempt lines have a top-level "target" instead, so the two never read as each other.

extension EventRecord {
    private struct Line: Decodable {
        struct Event: Decodable {
            var webhook_id: String
            var source: String
            var channel: String
            var type: String
            var received_at: Int64
            var routed_at: Int64
            var targets: [String]
        }

        var event: Event
    }

    /// The log line recording `event`'s routing to `targets` at `routedAtMillis`.
    static func logLine(_ event: IngressEvent, targets: [EndpointRef], routedAtMillis: Int64) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(
            160 + event.webhookID.utf8.count + event.source.utf8.count + (event.channel?.utf8.count ?? 0) + event.eventType.utf8.count
                + targets.reduce(0) { $0 + 3 + $1.tenant.utf8.count + $1.endpoint.utf8.count })
        line += #"{"event":{"webhook_id":"#.utf8
        WorkerStore.appendJSONString(event.webhookID, to: &line)
        line += #","source":"#.utf8
        WorkerStore.appendJSONString(event.source, to: &line)
        line += #","channel":"#.utf8
        WorkerStore.appendJSONString(event.channel ?? "", to: &line)
        line += #","type":"#.utf8
        WorkerStore.appendJSONString(event.eventType, to: &line)
        line += #","received_at":"#.utf8
        line += String(event.receivedAtMillis).utf8
        line += #","routed_at":"#.utf8
        line += String(routedAtMillis).utf8
        line += #","targets":["#.utf8
        for (index, target) in targets.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            WorkerStore.appendJSONString(target, to: &line)
        }
        line += "]}}".utf8
        return line
    }

    /// Decodes a line written by ``logLine(_:targets:routedAtMillis:)``; nil for any other line.
    init?(logLine: [UInt8]) {
        guard logLine.starts(with: #"{"event":"#.utf8),
            let decoded = try? JSONDecoder().decode(Line.self, from: Data(logLine))
        else { return nil }
        let event = decoded.event
        self.init(
            webhookID: event.webhook_id,
            source: event.source,
            channel: event.channel.isEmpty ? nil : event.channel,
            eventType: event.type,
            receivedAtMillis: event.received_at,
            routedAtMillis: event.routed_at,
            targets: event.targets.compactMap { EndpointRef(parsing: $0) }
        )
    }
}
