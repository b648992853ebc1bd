public import SluiceCore

// What operator commands (`status`, `dlq`, `events show`) read and change, over every partition.
//
// A dead letter of partition 0 keeps its stream id as its id; one of partition K > 0 is
// `K/<stream id>`, so an id names its partition and stays unique across partitions.
extension WorkerStores {
    /// Every partition's dead letters, oldest first.
    public func deadLetters() async throws(RedisError) -> [DeadLetterEntry] {
        var entries: [DeadLetterEntry] = []
        for store in all {
            for var entry in try await store.deadLetters() {
                entry.id = Self.qualified(entry.id, partition: store.keyspace.partition)
                entries.append(entry)
            }
        }
        guard count > 1 else { return entries }
        return entries.enumerated().sorted {
            ($0.element.deadLetteredAtMillis, $0.offset) < ($1.element.deadLetteredAtMillis, $1.offset)
        }.map(\.element)
    }

    /// Replays the dead letter `id` (as ``deadLetters()`` names it) into its partition.
    /// `archiveWindow` as in ``WorkerStore/replay(deadLetterID:with:archiveWindow:)``.
    public func replay(deadLetterID id: String, with deliveries: [Delivery], archiveWindow: Duration = .zero) async throws(RedisError) -> Bool {
        guard let (partition, streamID) = split(id) else { return false }
        return try await store(partition).replay(deadLetterID: streamID, with: deliveries, archiveWindow: archiveWindow)
    }

    /// Deletes the dead letters `ids` (as ``deadLetters()`` names them); returns how many were there.
    public func purge(deadLetterIDs ids: [String]) async throws(RedisError) -> Int {
        var byPartition: [Int: [String]] = [:]
        for id in ids {
            if let (partition, streamID) = split(id) { byPartition[partition, default: []].append(streamID) }
        }
        var purged = 0
        for (partition, streamIDs) in byPartition.sorted(by: { $0.key < $1.key }) {
            purged += try await store(partition).purge(deadLetterIDs: streamIDs)
        }
        return purged
    }

    /// The event's record and attempts, from whichever partition holds its log (the one its id
    /// hashes to under `partitions`, looked at first; any other after a repartitioning).
    public func eventLog(
        source: String, webhookID: String, partitions configured: Int
    ) async throws(RedisError) -> (record: EventRecord?, attempts: [LoggedAttempt]) {
        for partition in lookupOrder(webhookID: webhookID, partitions: configured) {
            let found = try await store(partition).eventLog(source: source, webhookID: webhookID)
            if found.record != nil || !found.attempts.isEmpty { return found }
        }
        return (nil, [])
    }

    /// The event as the recovery archive keeps it, from whichever partition holds it (looked for
    /// in the same order as ``eventLog(source:webhookID:partitions:)``).
    public func archivedEvent(source: String, webhookID: String, partitions configured: Int) async throws(RedisError) -> ArchivedEvent? {
        for partition in lookupOrder(webhookID: webhookID, partitions: configured) {
            if let found = try await store(partition).archivedEvent(source: source, webhookID: webhookID) { return found }
        }
        return nil
    }

    /// The partition `webhookID` hashes to under `configured` partitions first, then every other
    /// partition read here (an event accepted before a repartitioning lives where it was).
    private func lookupOrder(webhookID: String, partitions configured: Int) -> [Int] {
        let first = min(EventPartition.of(webhookID: webhookID, count: configured), count - 1)
        return [first] + (0..<count).filter { $0 != first }
    }

    /// The open-circuit reports; workers keep them in partition 0 whatever the partition.
    public func openCircuits() async throws(RedisError) -> [OpenCircuit] {
        try await store(0).openCircuits()
    }

    /// On a Redis Cluster, the master (`host:port`) serving each partition's slot now, in
    /// partition order; nil on a single Redis.
    public func masters() async throws(RedisError) -> [String]? {
        guard url.isCluster else { return nil }
        var masters: [String] = []
        for store in all {
            let slotMap = try await store.client.send(["CLUSTER", "SLOTS"])
            let owner = ClusterResolver.master(ofSlot: HashSlot.of(store.keyspace.tag), in: slotMap)
            masters.append(owner.map { "\($0.host ?? "?"):\($0.port)" } ?? "-")
        }
        return masters
    }

    /// `id` as ``deadLetters()`` shows an entry of `partition`.
    public static func qualified(_ id: String, partition: Int) -> String {
        partition == 0 ? id : "\(partition)/\(id)"
    }

    /// The partition and stream id a dead-letter id names; nil for a partition not read here.
    public func split(_ id: String) -> (partition: Int, streamID: String)? {
        guard let slash = id.firstIndex(of: "/") else { return (0, id) }
        guard let partition = Int(id[..<slash]), partition > 0, partition < count else { return nil }
        return (partition, String(id[id.index(after: slash)...]))
    }
}
