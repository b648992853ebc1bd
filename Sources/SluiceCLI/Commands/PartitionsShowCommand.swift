import ArgumentParser
import Foundation
import SluiceRedis

/// `sluice partitions show`: the recorded count and each partition's queues.
struct PartitionsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Each partition's queues and the recorded partition count.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        let stores = try await context.partitions()
        let recorded = try await context.run { try await stores.record.read() }
        let masters = try await context.run { try await stores.masters() }
        var rows: [(partition: Int, tag: String, status: StoreStatus)] = []
        for store in stores.all {
            rows.append((store.keyspace.partition, store.keyspace.tag, try await context.run { try await store.status() }))
        }
        if json {
            let object: [String: Any] = [
                "configured": context.routes.redisPartitions, "recorded": recorded,
                "partitions": rows.map { row -> [String: Any] in
                    [
                        "partition": row.partition, "hash_tag": "{\(row.tag)}", "slot": HashSlot.of(row.tag),
                        "master": masters?[row.partition] ?? NSNull(), "ingress": row.status.ingressLength,
                        "ingress_pending": row.status.ingressPending, "deliveries": row.status.deliveriesLength,
                        "deliveries_pending": row.status.deliveriesPending, "retry": row.status.retryBacklog,
                        "waiting": row.status.waiting, "dlq": row.status.deadLetters, "empty": row.status.isEmpty,
                    ]
                },
            ]
            print(JSONOutput.line(object))
            return
        }
        print("partitions: \(context.routes.redisPartitions) configured (redis.partitions), \(recorded) recorded; workers read \(max(context.routes.redisPartitions, recorded))")
        var table = TextTable(columns: ["PARTITION", "HASH TAG", "SLOT", "MASTER", "INGRESS", "DELIVERIES", "RETRY", "WAITING", "DLQ"])
        for row in rows {
            let status = row.status
            table.add([
                String(row.partition), "{\(row.tag)}", String(HashSlot.of(row.tag)), masters?[row.partition] ?? "-",
                "\(status.ingressLength) (\(status.ingressPending) pending)",
                "\(status.deliveriesLength) (\(status.deliveriesPending) pending)", String(status.retryBacklog), String(status.waiting),
                String(status.deadLetters),
            ])
        }
        print(table.render())
    }
}
