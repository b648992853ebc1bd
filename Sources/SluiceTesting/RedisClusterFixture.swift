public import SluiceRedis

/// Starts a real Redis Cluster on loopback (`RedisClusterServer`: `masters` masters with
/// `replicasPerMaster` replicas each), runs `body`, and stops every node, also when `body` throws.
public func withRedisCluster<T>(masters: Int = 3, replicasPerMaster: Int = 1, _ body: (RedisClusterServer) async throws -> T) async throws -> T {
    let cluster = try await RedisClusterServer.start(masters: masters, replicasPerMaster: replicasPerMaster)
    do {
        let result = try await body(cluster)
        await cluster.stop()
        return result
    } catch {
        await cluster.stop()
        throw error
    }
}
