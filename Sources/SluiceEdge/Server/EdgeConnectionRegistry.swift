import CoreMetrics
import Synchronization

/// Every open connection of the edge, across event loops, and the request body bytes they
/// buffer: enforces `EdgeConnectionLimits.maxConnections` and `maxBufferedBytes` by shedding the
/// connections that have waited on their own client longest.
///
/// Shedding the oldest rather than refusing the newest is what keeps real calls flowing under a
/// slow-client attack: Gemini's requests arrive whole within milliseconds, so at the limit the
/// oldest unfinished reads are the trickling ones. A connection whose event is being verified or
/// written is never shed, so nothing already accepted is lost.
final class EdgeConnectionRegistry: Sendable {
    let limits: EdgeConnectionLimits
    private let open = Mutex<[ObjectIdentifier: EdgeConnectionTicket]>([:])
    private let buffered = Atomic<Int>(0)
    private let openGauge: Gauge
    private let bufferedGauge: Gauge
    private let shedForConnections: Counter
    private let shedForBytes: Counter
    private let refused: Counter
    private let timedOut: Counter

    init(limits: EdgeConnectionLimits, factory: any MetricsFactory) {
        self.limits = limits
        openGauge = Gauge(label: "sluice_edge_connections", dimensions: [], factory: factory)
        bufferedGauge = Gauge(label: "sluice_edge_buffered_bytes", dimensions: [], factory: factory)
        func shed(_ reason: String) -> Counter {
            Counter(label: "sluice_edge_connections_shed_total", dimensions: [("reason", reason)], factory: factory)
        }
        shedForConnections = shed("connection_limit")
        shedForBytes = shed("buffer_limit")
        refused = shed("refused")
        timedOut = shed("request_timeout")
        openGauge.record(0)
        bufferedGauge.record(0)
    }

    /// Registers a new connection. At the limit it first sheds the oldest sheddable connections (a
    /// batch of them, so a flood of new connections does not scan the table for each); returns
    /// false, counting a refusal, when none can be shed: the caller closes the new connection.
    func admit(_ ticket: EdgeConnectionTicket) -> Bool {
        let batch = max(1, limits.maxConnections / 64)
        let (admitted, victims, count) = open.withLock { open -> (Bool, [EdgeConnectionTicket], Int) in
            var victims: [EdgeConnectionTicket] = []
            if open.count >= limits.maxConnections {
                victims = Self.oldest(in: open.values, count: max(batch, open.count - limits.maxConnections + 1))
                for victim in victims { open[ObjectIdentifier(victim)] = nil }
            }
            guard open.count < limits.maxConnections else { return (false, victims, open.count) }
            open[ObjectIdentifier(ticket)] = ticket
            return (true, victims, open.count)
        }
        shedAll(victims, counter: shedForConnections)
        openGauge.record(count)
        bufferedGauge.record(buffered.load(ordering: .relaxed))
        if !admitted { refused.increment() }
        return admitted
    }

    /// The connection closed: forget it and give back its bytes. Safe to call for a shed one.
    func remove(_ ticket: EdgeConnectionTicket) {
        let count = open.withLock { open in
            open[ObjectIdentifier(ticket)] = nil
            return open.count
        }
        release(ticket)
        openGauge.record(count)
        bufferedGauge.record(buffered.load(ordering: .relaxed))
    }

    /// Counts `bytes` of request body against the budget for `ticket`'s connection. Over the
    /// budget it sheds the sheddable connections whose bodies are oldest until the bytes fit;
    /// returns false when they still do not (the caller refuses the request with 503).
    func reserve(_ bytes: Int, for ticket: EdgeConnectionTicket) -> Bool {
        if tryReserve(bytes, for: ticket) { return true }
        let needed = buffered.load(ordering: .relaxed) + bytes - limits.maxBufferedBytes
        let victims = open.withLock { open -> [EdgeConnectionTicket] in
            var freed = 0
            var victims: [EdgeConnectionTicket] = []
            let holders = open.values.filter { $0 !== ticket && $0.buffered.load(ordering: .relaxed) > 0 }
            for victim in Self.oldest(in: holders, count: holders.count) where freed < needed {
                freed += victim.buffered.load(ordering: .relaxed)
                open[ObjectIdentifier(victim)] = nil
                victims.append(victim)
            }
            return victims
        }
        shedAll(victims, counter: shedForBytes)
        return tryReserve(bytes, for: ticket)
    }

    /// Gives back every body byte `ticket`'s connection holds (its request was answered or it closed).
    ///
    /// The buffered-bytes gauge is not recorded here or in `reserve`, which run twice per request:
    /// it is brought up to date as connections open, close and are shed.
    func release(_ ticket: EdgeConnectionTicket) {
        let bytes = ticket.buffered.exchange(0, ordering: .relaxed)
        guard bytes > 0 else { return }
        buffered.subtract(bytes, ordering: .relaxed)
    }

    /// A connection was closed because its request took longer than `requestTimeout`.
    func countTimedOut() {
        timedOut.increment()
    }

    var openConnections: Int { open.withLock { $0.count } }
    var bufferedBytes: Int { buffered.load(ordering: .relaxed) }

    private func tryReserve(_ bytes: Int, for ticket: EdgeConnectionTicket) -> Bool {
        let total = buffered.add(bytes, ordering: .relaxed).newValue
        guard total <= limits.maxBufferedBytes else {
            buffered.subtract(bytes, ordering: .relaxed)
            return false
        }
        ticket.buffered.add(bytes, ordering: .relaxed)
        return true
    }

    private func shedAll(_ victims: [EdgeConnectionTicket], counter: Counter) {
        for victim in victims {
            release(victim)
            victim.shed()
        }
        guard !victims.isEmpty else { return }
        counter.increment(by: victims.count)
        bufferedGauge.record(buffered.load(ordering: .relaxed))
    }

    /// Up to `count` sheddable tickets, oldest first.
    private static func oldest(in tickets: some Collection<EdgeConnectionTicket>, count: Int) -> [EdgeConnectionTicket] {
        let candidates = tickets.filter { $0.sheddable.load(ordering: .relaxed) }
            .map { ($0.since.load(ordering: .relaxed), $0) }
            .sorted { $0.0 < $1.0 }
        return candidates.prefix(count).map(\.1)
    }
}
