import Synchronization

/// Every event the sender made up, and what the edges answered; shared by the sender's tasks,
/// the receiver (which checks bodies against it) and the accounting.
final class SenderLedger: Sendable {
    private let events: Mutex<[SentEvent]>
    private let index: [String: Int]

    init(_ events: [SentEvent]) {
        self.events = Mutex(events)
        var index: [String: Int] = [:]
        for (position, event) in events.enumerated() { index[event.id] = position }
        self.index = index
    }

    var count: Int { index.count }

    var all: [SentEvent] { events.withLock { $0 } }

    func event(at position: Int) -> SentEvent { events.withLock { $0[position] } }

    /// The body sent for `id`, or nil for an id the harness never sent.
    func body(for id: String) -> [UInt8]? {
        guard let position = index[id] else { return nil }
        return events.withLock { $0[position].body }
    }

    func update(_ position: Int, _ change: (inout SentEvent) -> Void) {
        events.withLock { change(&$0[position]) }
    }
}
