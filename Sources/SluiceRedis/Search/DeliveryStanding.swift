/// Where an event's delivery to one endpoint stands, as its log tells: the outcome of its latest
/// attempt, or that none has been made yet.
public enum DeliveryStanding: String, Sendable, Hashable, CaseIterable {
    /// Routed; no attempt recorded yet (queued, waiting for a rate-limit token, or in flight).
    case pending
    /// The latest attempt got a 2xx.
    case delivered
    /// The latest attempt failed and the delivery waits for its next one.
    case retrying
    /// The delivery was dead-lettered (and not delivered by a replay since).
    case deadLetter = "dead_letter"
    /// The event matched no route: one `no_route` dead letter, no delivery.
    case noRoute = "no_route"
    /// The event's log is gone (older than `worker.attempt_log_retention`).
    case expired

    /// Each target's standing from the event's key (`log`; nil when it no longer exists): the
    /// latest attempt line of each target decides. An event indexed without targets (no route)
    /// whose dead letter was replayed since has attempts all the same: then every target its
    /// log names stands, in the order they first appear.
    ///
    /// A search reads thousands of logs per page, so the attempt lines — which Sluice writes
    /// itself, compact, `{"target":"…",…,"outcome":"…",…}` — are scanned for those two values
    /// instead of decoded; a line that does not scan cleanly (an escaped character) is decoded.
    static func of(targets: [EndpointRef], log: [UInt8]?) -> [(EndpointRef, DeliveryStanding)] {
        guard let log else { return targets.map { ($0, .expired) } }
        var latest: [String: AttemptRecord.Outcome] = [:]
        var named: [String] = []
        // Lines are sliced, not copied (``WorkerStore/logLines(of:)`` makes an array of each).
        var start = log.startIndex
        while start < log.endIndex {
            let end = log[start...].firstIndex(of: UInt8(ascii: "\n")) ?? log.endIndex
            let line = log[start..<end]
            start = end + 1
            guard line.starts(with: targetKey) else { continue }
            guard let (target, outcome) = scan(line) ?? WorkerStore.loggedAttempt(from: Array(line)).map({ ($0.target.description, $0.record.outcome) })
            else { continue }
            if latest.updateValue(outcome, forKey: target) == nil { named.append(target) }
        }
        let targets = targets.isEmpty ? named.compactMap(EndpointRef.init(parsing:)) : targets
        return targets.map { target in
            switch latest[target.description] {
            case nil: (target, .pending)
            case .delivered: (target, .delivered)
            case .retry: (target, .retrying)
            case .deadLetter: (target, .deadLetter)
            }
        }
    }

    private static let targetKey = Array(#"{"target":""#.utf8)
    private static let outcomeKey = Array(#""outcome":""#.utf8)

    /// The target and outcome of an attempt line; nil when either holds an escape or is missing.
    private static func scan(_ line: ArraySlice<UInt8>) -> (String, AttemptRecord.Outcome)? {
        func string(at start: Int) -> String? {
            var end = start
            while end < line.endIndex, line[end] != UInt8(ascii: "\"") {
                if line[end] == UInt8(ascii: "\\") { return nil }
                end += 1
            }
            return end < line.endIndex ? String(decoding: line[start..<end], as: UTF8.self) : nil
        }
        guard let target = string(at: line.startIndex + targetKey.count) else { return nil }
        var index = line.startIndex + targetKey.count
        while index + outcomeKey.count <= line.endIndex {
            if line[index] == outcomeKey[0], line[index..<(index + outcomeKey.count)].elementsEqual(outcomeKey) {
                return string(at: index + outcomeKey.count).flatMap(AttemptRecord.Outcome.init(rawValue:)).map { (target, $0) }
            }
            index += 1
        }
        return nil
    }
}

import SluiceCore
