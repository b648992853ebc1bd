public import SluiceCore

/// An endpoint whose circuit a worker holds open, as `sluice status` shows it.
public struct OpenCircuit: Sendable, Equatable {
    public var endpoint: EndpointRef
    /// The worker (consumer name) whose breaker opened.
    public var consumer: String
    /// When that worker may send its probe, unix ms.
    public var probeAtMillis: Int64

    public init(endpoint: EndpointRef, consumer: String, probeAtMillis: Int64) {
        self.endpoint = endpoint
        self.consumer = consumer
        self.probeAtMillis = probeAtMillis
    }
}

extension WorkerStore {
    /// Records that this worker's circuit for `endpoint` opened (until `probeAtMillis`) or closed (nil).
    ///
    /// Advisory: breakers live in each worker's memory; this only lets operators see them.
    public func publishCircuit(_ endpoint: EndpointRef, consumer: String, probeAtMillis: Int64?) async throws(RedisError) {
        let field = RedisArgument("\(endpoint.description)@\(consumer)")
        if let probeAtMillis {
            _ = try await client.send(["HSET", RedisArgument(keyspace.circuits), field, RedisArgument(probeAtMillis)])
        } else {
            _ = try await client.send(["HDEL", RedisArgument(keyspace.circuits), field])
        }
    }

    /// Circuits some worker reported open, most recent probe time first.
    public func openCircuits() async throws(RedisError) -> [OpenCircuit] {
        let reply = try await client.send(["HGETALL", RedisArgument(keyspace.circuits)])
        let items = reply.array ?? []
        var circuits: [OpenCircuit] = []
        var index = 0
        while index + 1 < items.count {
            defer { index += 2 }
            guard let field = items[index].string, let value = items[index + 1].string, let probeAt = Int64(value),
                let at = field.lastIndex(of: "@"), let ref = EndpointRef(parsing: String(field[..<at]))
            else { continue }
            circuits.append(OpenCircuit(endpoint: ref, consumer: String(field[field.index(after: at)...]), probeAtMillis: probeAt))
        }
        return circuits.sorted { $0.probeAtMillis > $1.probeAtMillis }
    }
}

extension WorkerStore {
    /// Deletes consumers of both groups idle for at least `consumerIdle` that hold no pending
    /// entry (except those named in `keep`), and open-circuit reports whose probe time and
    /// endpoint summaries whose publication are before `circuitCutoffMillis`; returns how many of
    /// each went.
    @discardableResult
    public func sweep(
        consumerIdle: Duration, circuitCutoffMillis: Int64, keep: [String]
    ) async throws(RedisError) -> (consumers: Int, circuitReports: Int, endpointSummaries: Int) {
        let reply = try await client.run(
            SweepScript.script,
            keys: [
                RedisArgument(keyspace.ingress), RedisArgument(keyspace.deliveries), RedisArgument(keyspace.circuits),
                RedisArgument(keyspace.endpointStats),
            ],
            args: [
                RedisArgument(Keyspace.routerGroup), RedisArgument(Keyspace.deliveryGroup), RedisArgument(consumerIdle.nonNegativeMillis),
                RedisArgument(circuitCutoffMillis),
            ] + keep.map { RedisArgument($0) })
        let counts = (reply.array ?? []).map { Int($0.int ?? 0) }
        func count(_ index: Int) -> Int { index < counts.count ? counts[index] : 0 }
        return (count(0), count(1), count(2))
    }
}
