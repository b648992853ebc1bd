import SluiceCore

/// One ingest script call being gathered: the events one connection accepts in one tick of its
/// event loop, for one stream and one set of replication terms (see `IngestScript`).
struct IngestBatch {
    let stream: String
    let replication: RedisReplication?
    /// The stream's key, then each event's key.
    var keys: RESPArguments
    /// The replicated flag, then each event's nine values.
    var values: RESPArguments
    /// Each event's caller, in the order of the events.
    var completions: [(Result<IngestOutcome, RedisError>) -> Void] = []

    init(stream: String, replication: RedisReplication?, capacity: Int) {
        self.stream = stream
        self.replication = replication
        keys = RESPArguments(capacity: 64 + capacity / 4)
        keys.append(stream)
        values = RESPArguments(capacity: capacity)
        values.append(replication == nil ? "0" : "1")
    }

    /// The script's keys, then its arguments.
    var arguments: RESPArguments {
        var arguments = keys
        arguments.append(contentsOf: values)
        return arguments
    }
}
