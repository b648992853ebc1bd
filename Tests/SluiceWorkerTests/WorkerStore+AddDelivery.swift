import SluiceCore
import SluiceRedis

extension WorkerStore {
    /// Puts `delivery` on the deliveries stream as the router writes it, for a test that needs one
    /// the router did not make (accepted long ago, or for an endpoint no longer in the routes).
    func addDelivery(_ delivery: Delivery) async throws {
        var command: [RedisArgument] = ["XADD", RedisArgument(keyspace.deliveries), "*"]
        for (name, value) in delivery.fields() { command += [RedisArgument(name), RedisArgument(value)] }
        _ = try await client.send(command)
    }
}
