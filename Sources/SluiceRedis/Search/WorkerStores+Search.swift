extension WorkerStores {
    /// The most index entries one page of a search reads. Reading an entry and its log costs the
    /// reader a few µs (decoding allocates); at this bound the slowest page — an outcome no
    /// recent event has — answers in about 20 ms (README, "Console pages at 1,000,000 events").
    public static let searchScanLimit = 2_000

    /// One page of events matching `query`, newest first, from every partition's search index
    /// (`worker.event_index`), each with where its deliveries stand.
    ///
    /// Bounded in Redis work whatever the index holds: each partition is read backwards in
    /// chunks (`XREVRANGE … COUNT`), the partitions merged by time, and the page stops after
    /// `scanLimit` index entries even when it is not full — `next` then goes on from there. Logs
    /// are read (`GET`, pipelined per chunk) only for entries the cheap filters leave: for all of
    /// them when the query asks for an outcome, else only for the page's hits.
    public func searchEvents(
        _ query: EventQuery, after cursor: EventCursor? = nil, limit: Int = 50, scanLimit: Int = WorkerStores.searchScanLimit
    ) async throws(RedisError) -> EventSearchPage {
        // A search that reads logs to decide reads in larger chunks: fewer round trips.
        let chunk = query.outcome == nil ? max(50, min(500, limit * 2)) : 500
        var lanes = (0..<count).map { partition in
            SearchLane(partition: partition, end: Self.end(of: partition, cursor: cursor, untilMillis: query.untilMillis))
        }
        // Times before 1970 would be ids Redis refuses.
        let start = query.sinceMillis.map { "\(max(0, $0))" } ?? "-"
        var hits: [EventSearchHit] = []
        var scanned = 0
        var last: SearchEntry?
        var stoppedAtScanLimit = false
        merging: while hits.count < limit {
            let empty = lanes.indices.filter { lanes[$0].drained && !lanes[$0].exhausted }
            if !empty.isEmpty {
                // The budget left is shared among the partitions to read, so that each gets some
                // before it runs out; a page that has taken nothing yet reads on regardless, at
                // least one entry a partition, so that every page moves the search forward.
                guard scanned < scanLimit || last == nil else {
                    stoppedAtScanLimit = true
                    break merging
                }
                let share = max(1, min(chunk, (scanLimit - scanned) / empty.count))
                for index in empty {
                    scanned += try await fill(&lanes[index], start: start, count: share, query: query)
                }
            }
            // The newest head among the partitions: every entry newer than it has been taken.
            var newest: Int?
            for index in lanes.indices where !lanes[index].drained {
                if let best = newest, lanes[index].head.precedes(lanes[best].head) { continue }
                newest = index
            }
            guard let lane = newest else { break }
            let entry = lanes[lane].head
            lanes[lane].next += 1
            last = entry
            if let hit = entry.hit { hits.append(hit) }
        }
        let more = stoppedAtScanLimit || lanes.contains { !$0.drained || !$0.exhausted }
        try await readStandings(of: &hits, query: query)
        return EventSearchPage(
            hits: hits, next: more ? last.map { EventCursor(indexID: $0.id, partition: $0.partition) } ?? cursor : nil,
            scanned: scanned, stoppedAtScanLimit: stoppedAtScanLimit, indexStartsAtMillis: try await indexStart())
    }

    /// Where partition `partition`'s backwards read starts: just after the cursor in the search
    /// order (entries of the same id sort by partition, higher first), or at `untilMillis`.
    private static func end(of partition: Int, cursor: EventCursor?, untilMillis: Int64?) -> String {
        guard let cursor else { return untilMillis.map { "\(max(0, $0))" } ?? "+" }
        return partition < cursor.partition ? cursor.indexID : "(\(cursor.indexID)"
    }

    /// Reads `lane`'s next chunk into its buffer, keeping a hit for each entry the query's cheap
    /// filters leave (and, when it asks for an outcome, whose standing has it). Returns how many
    /// entries were read.
    private func fill(_ lane: inout SearchLane, start: String, count: Int, query: EventQuery) async throws(RedisError) -> Int {
        let store = store(lane.partition)
        // One more than wanted: whether the partition holds more is known now, not from an empty
        // read on the next page.
        let reply = try await store.client.send([
            "XREVRANGE", RedisArgument(store.keyspace.eventIndex), RedisArgument(lane.end), RedisArgument(start), "COUNT", RedisArgument(count + 1),
        ])
        var entries = RedisStreamEntry.entries(from: reply)
        if entries.count > count { entries.removeLast() } else { lane.exhausted = true }
        if let oldest = entries.last { lane.end = "(\(oldest.id)" }
        var read = entries.map { entry -> SearchEntry in
            let event = IndexedEvent.decode(entry, partition: lane.partition)
            let hit = event.flatMap { event in
                query.consideredTargets(of: event).map { targets in
                    EventSearchHit(event: event, standings: targets.map { ($0, DeliveryStanding.pending) })
                }
            }
            return SearchEntry(id: entry.id, order: SearchEntry.order(of: entry.id), partition: lane.partition, hit: hit)
        }
        if query.outcome != nil {
            var candidates = read.compactMap(\.hit)
            try await readStandings(of: &candidates, query: query)
            var next = candidates.makeIterator()
            for index in read.indices where read[index].hit != nil {
                let hit = next.next()
                read[index].hit = hit.flatMap { query.accepts($0) ? $0 : nil }
            }
        }
        lane.buffer = read
        lane.next = 0
        return entries.count
    }

    /// Fills in each hit's standings from its event's log, where not read yet: one pipelined
    /// `GET` per partition.
    private func readStandings(of hits: inout [EventSearchHit], query: EventQuery) async throws(RedisError) {
        for partition in Set(hits.filter { !$0.standingsRead }.map(\.event.partition)).sorted() {
            let indices = hits.indices.filter { hits[$0].event.partition == partition && !hits[$0].standingsRead }
            let store = store(partition)
            let replies = try await store.client.pipeline(indices.map { index in
                ["GET", RedisArgument(store.keyspace.eventLog(source: hits[index].event.source, webhookID: hits[index].event.webhookID))]
            })
            for (index, reply) in zip(indices, replies) {
                hits[index].standings = DeliveryStanding.of(targets: hits[index].standings.map(\.target), log: reply.bytes)
                    .map { (target: $0.0, standing: $0.1) }
                hits[index].logged = reply.bytes != nil
                hits[index].standingsRead = true
            }
        }
    }

    /// Since when every partition's index is complete: the latest of their oldest entries (a
    /// busy partition trims sooner than a quiet one); nil when all are empty.
    private func indexStart() async throws(RedisError) -> Int64? {
        var complete: Int64?
        for store in all {
            guard let millis = try await store.oldestEntryMillis(in: store.keyspace.eventIndex) else { continue }
            complete = max(complete ?? millis, millis)
        }
        return complete
    }
}

/// One partition's side of a search merge: the chunk read last, how far the merge has taken
/// it, and where the next chunk starts.
private struct SearchLane {
    var partition: Int
    var end: String
    var buffer: [SearchEntry] = []
    var next = 0
    var exhausted = false

    /// Whether the merge has taken every entry of the chunk read last.
    var drained: Bool { next >= buffer.count }
    var head: SearchEntry { buffer[next] }
}

/// One index entry read by a search; `hit` is nil when the query's filters drop it.
private struct SearchEntry {
    var id: String
    /// The id as numbers (ms, sequence), for ordering.
    var order: (Int64, Int64)
    var partition: Int
    var hit: EventSearchHit?

    /// Whether this entry comes after `other` in the search order (newest first; among equal
    /// ids, higher partitions first) — i.e. is "smaller" for `max`.
    func precedes(_ other: SearchEntry) -> Bool {
        if order != other.order { return order < other.order }
        return partition < other.partition
    }

    static func order(of id: String) -> (Int64, Int64) {
        let parts = id.utf8.split(separator: UInt8(ascii: "-"))
        func number(_ part: Substring.UTF8View.SubSequence?) -> Int64 {
            part.map { Int64(Substring($0)) ?? 0 } ?? 0
        }
        return (number(parts.first), number(parts.dropFirst().first))
    }
}

import SluiceCore
