import SluiceRedis

// Scenarios of `redis.partitions`: partitions moving between Redis Cluster masters, and workers
// joining and leaving while every partition must stay read.
extension Scenario {
    static let redisClusterReshard: Scenario = {
        var scenario = Scenario(
            name: "redis-cluster-reshard",
            summary: "On a Redis Cluster (3 masters, 3 replicas) with 6 partitions and durability: replicated, move every partition one master serves to another with redis-cli --cluster reshard under load: their keys migrate live and nothing acknowledged is lost.")
        scenario.cluster = true
        let partitions = 6
        scenario.partitions = partitions
        scenario.durability = .replicated
        scenario.sendDuration = { $0.short ? .seconds(8) : .seconds(30) }
        scenario.fault = { context in
            guard let redisCluster = context.cluster.redisCluster else { throw ChaosError("this scenario needs the Redis Cluster") }
            try await context.waitUntil(fraction: 0.3)
            let tags = Keyspace.partitions(prefix: context.cluster.prefix, count: partitions).map(\.tag)
            var held: [Int: [String]] = [:]
            var masters: [Int: RedisServer] = [:]
            for tag in tags {
                guard let master = await redisCluster.master(of: tag) else { throw ChaosError("no master serves {\(tag)}") }
                held[master.port, default: []].append(tag)
                masters[master.port] = master
            }
            guard let (port, moving) = held.max(by: { $0.value.count < $1.value.count }), let source = masters[port],
                let target = redisCluster.nodes.prefix(3).first(where: { $0.port != port }),
                let range = await redisCluster.slotRange(of: source)
            else { throw ChaosError("cannot pick a master to move partitions from") }
            // redis-cli moves the source's lowest slots first: enough of them to take every partition it serves.
            let slots = (moving.map { HashSlot.of($0) }.max() ?? range.lowerBound) - range.lowerBound + 1
            let began = ContinuousClock.now
            do {
                try await redisCluster.reshard(from: source, to: target, slots: slots)
            } catch {
                throw ChaosError("resharding failed: \(error)")
            }
            try await ChaosCluster.until("the moved partitions are served by port \(target.port)") {
                for tag in moving where await redisCluster.master(of: tag)?.port != target.port { return false }
                return true
            }
            context.notes.set("partitions moved", moving.count)
            context.notes.add(
                "at 30% of the traffic, redis-cli --cluster reshard moved \(slots) slots holding \(moving.count) of \(tags.count) partitions (\(moving.map { "{\($0)}" }.joined(separator: ", "))) from port \(source.port) to \(target.port), keys included, in \(ContinuousClock.now - began)")
        }
        scenario.check = { report in report.faultCounts["partitions moved", default: 0] == 0 ? ["no partition moved"] : [] }
        return scenario
    }()

    static let workerJoinLeave: Scenario = {
        var scenario = Scenario(
            name: "worker-join-leave",
            summary: "With 4 partitions, workers come and go under load: a third joins, one leaves gracefully (SIGTERM), another is killed (-9) and its pending entries are claimed by the others; every partition stays read and nothing is lost.")
        scenario.partitions = 4
        scenario.standbyWorkers = 1
        scenario.fault = { context in
            let workers = context.cluster.workers
            try await context.waitUntil(fraction: 0.2)
            try await workers[2].start()
            context.notes.count("joined")
            try await context.waitUntil(fraction: 0.4)
            let status = await workers[0].terminate(timeout: .seconds(15))
            context.notes.count("left")
            try await context.waitUntil(fraction: 0.6)
            await workers[1].kill()
            context.notes.count("killed")
            // One worker alone reads all four partitions for a while, then the others come back.
            try await context.waitUntil(fraction: 0.8)
            try await workers[0].start()
            try await workers[1].start()
            context.notes.add(
                "worker-3 joined at 20% of the traffic; worker-1 left by SIGTERM at 40% (exit \(status.map(String.init) ?? "killed after 15 s")); worker-2 killed (-9) at 60%; worker-3 alone read all 4 partitions until both came back at 80%")
        }
        scenario.check = { report in
            ["joined", "left", "killed"].filter { report.faultCounts[$0, default: 0] == 0 }.map { "no worker \($0)" }
        }
        return scenario
    }()
}
