import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// Operator commands over `redis.partitions`: `dlq`, `events show`, `status` and `partitions`
/// see every partition, and `partitions prune` lowers the record only once the partitions above
/// the configured count are empty.
@Suite struct PartitionCommandsTests {
    static func routes(prefix: String, sinkURL: String, partitions: Int) -> String {
        GatewayProcesses.routes(prefix: prefix, sinkURL: sinkURL, routes: OperatorCommandsTests.batchRoute)
            .replacingOccurrences(of: "redis: {prefix: \(prefix)}", with: "redis: {prefix: \(prefix), partitions: \(partitions)}")
    }

    @Test func operatorCommandsSeeEveryPartitionAndPruneWaitsUntilTheyAreEmpty() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: Self.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), partitions: 3)) { gateway in
                    // Nine events no route takes: dead letters, spread over the three partitions.
                    var ids: [String] = []
                    for index in 0..<9 { ids.append(try await gateway.post(type: "file.deleted", id: "msg_unrouted_\(index)")) }
                    #expect(Set(ids.map { EventPartition.of(webhookID: $0, count: 3) }).count == 3)
                    var lines: [[String: Any]] = []
                    try await poll(until: {
                        lines = try await gateway.sluiceJSONLines(["dlq", "list"])
                        return lines.count == 9
                    }, "nine dead letters are listed")
                    // An id names its partition: `K/<stream id>` above partition 0.
                    for line in lines {
                        let id = try #require(line["id"] as? String)
                        let partition = EventPartition.of(webhookID: try #require(line["event_id"] as? String), count: 3)
                        #expect(partition == 0 ? !id.contains("/") : id.hasPrefix("\(partition)/"), "\(id)")
                    }
                    let far = try #require(ids.first { EventPartition.of(webhookID: $0, count: 3) == 2 })
                    let shown = try await gateway.sluiceJSON(["events", "show", far])
                    #expect(shown["source"] as? String == "gemini")
                    #expect(try await gateway.sluiceJSON(["status"])["dlq_size"] as? Int == 9)
                    let partitions = try await gateway.sluiceJSON(["partitions", "show"])
                    #expect(partitions["configured"] as? Int == 3)
                    #expect(partitions["recorded"] as? Int == 3)
                    let rows = try #require(partitions["partitions"] as? [[String: Any]])
                    #expect(rows.map { $0["hash_tag"] as? String } == ["{\(redis.prefix)}", "{\(redis.prefix):p1}", "{\(redis.prefix):p2}"])
                    #expect(rows.map { $0["dlq"] as? Int ?? 0 }.reduce(0, +) == 9)

                    // Down to one partition: prune refuses while partitions 1 and 2 hold dead letters.
                    try Self.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), partitions: 1)
                        .write(toFile: gateway.routesPath, atomically: true, encoding: .utf8)
                    let refused = try await SluiceBinary.run(["partitions", "prune", "--config", gateway.routesPath, "--redis", "\(redis.url)"])
                    #expect(refused.status == 1, "\(refused.output)")
                    #expect(refused.output.contains("still hold work"), "\(refused.output)")
                    // Still listed although the routes file now says 1: the record says 3.
                    #expect(try await gateway.sluiceJSONLines(["dlq", "list"]).count == 9)
                    #expect(try await gateway.sluice(["dlq", "purge", "--all"]).contains("9"))
                    try await poll(until: {
                        try await SluiceBinary.run(["partitions", "prune", "--config", gateway.routesPath, "--redis", "\(redis.url)"]).status == 0
                    }, "prune succeeds once the partitions above 1 are empty")
                    #expect(try await gateway.sluiceJSON(["partitions", "show"])["recorded"] as? Int == 1)
                    #expect(try await gateway.sluice(["partitions", "prune"]).contains("nothing to prune"))
                    // A record no Sluice writes (it read Int.max partitions, for ever) is named as damaged.
                    _ = try await redis.client.send(["SET", RedisArgument(redis.keyspace.partitionCount), "9223372036854775807"])
                    let damaged = try await SluiceBinary.run(["partitions", "show", "--config", gateway.routesPath, "--redis", "\(redis.url)"])
                    #expect(damaged.status == 1 && damaged.output.contains("not a partition count"), "\(damaged.output)")
                }
            }
        }
    }

    /// The archive of a partition being pruned keeps what `sluice replay` may still need: prune
    /// refuses until the recovery window has passed for it, then drops the partition.
    @Test func pruneWaitsForTheArchiveOfThePartitionsItDropsToLeaveTheRecoveryWindow() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                // A window long enough that the first prune still falls inside it on a loaded
                // machine (3 s once did not).
                func routes(_ partitions: Int) -> String {
                    Self.routes(prefix: redis.prefix, sinkURL: sink.url("/hook"), partitions: partitions) + "\nworker: {recovery_window: 10s}\n"
                }
                try await GatewayProcesses.withEdgeAndWorker(redis: redis, routes: routes(3)) { gateway in
                    var ids: [String] = []
                    for index in 0..<9 { ids.append(try await gateway.post(type: "batch.succeeded", id: "msg_archived_\(index)")) }
                    #expect(Set(ids.map { EventPartition.of(webhookID: $0, count: 3) }).count == 3)
                    _ = try await sink.waitForRequests(count: 9, path: "/hook")

                    try routes(1).write(toFile: gateway.routesPath, atomically: true, encoding: .utf8)
                    let refused = try await SluiceBinary.run(["partitions", "prune", "--config", gateway.routesPath, "--redis", "\(redis.url)"])
                    #expect(refused.status == 1, "\(refused.output)")
                    #expect(refused.output.contains("archived events kept for sluice replay (worker.recovery_window) until"), "\(refused.output)")
                    try await poll(until: {
                        try await SluiceBinary.run(["partitions", "prune", "--config", gateway.routesPath, "--redis", "\(redis.url)"]).status == 0
                    }, timeout: .seconds(40), "prune succeeds once the window has passed for those archives")
                    #expect(try await gateway.sluiceJSON(["partitions", "show"])["recorded"] as? Int == 1)
                }
            }
        }
    }
}
