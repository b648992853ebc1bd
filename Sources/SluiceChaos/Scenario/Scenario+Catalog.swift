import Foundation
import SluiceCore
import SluiceRedis

extension Scenario {
    /// Every scenario, in the order `run` without names runs them.
    public static let all: [Scenario] = [
        baseline, workerKill, edgeKill, redisKillFsyncAlways, redisKillFsyncEverysec, redisDown, redisMaxMemory,
        endpoints, configReload, clockSkew, workerRollingRestart, rateLimitedBacklog, redisFailoverReplicated, redisFailoverWrite,
        redisClusterMasterKill, redisClusterMasterKillWrite, redisClusterReshard, workerJoinLeave,
    ]

    /// The scenario named `name`.
    public static func named(_ name: String) throws(ChaosError) -> Scenario {
        guard let scenario = all.first(where: { $0.name == name }) else { throw .unknownScenario(name, known: all.map(\.name)) }
        return scenario
    }

    static let baseline = Scenario(name: "baseline", summary: "No fault: the reference for delay and duplicates.")

    static let workerKill = killingRepeatedly(
        name: "worker-kill", summary: "kill -9 a worker in the middle of deliveries, again and again, and start it again.",
        kind: "worker", during: "delivery", processes: { $0.workers })

    static let edgeKill = killingRepeatedly(
        name: "edge-kill", summary: "kill -9 an edge during ingest, again and again; the sender retries unanswered calls on the other edge.",
        kind: "edge", during: "ingest", processes: { $0.edges })

    /// `kill -9` one of `processes` in turn every 3 s (1.5 s short) and start it again.
    private static func killingRepeatedly(
        name: String, summary: String, kind: String, during: String, processes: @escaping @Sendable (ChaosCluster) -> [SluiceProcess]
    ) -> Scenario {
        var scenario = Scenario(name: name, summary: summary)
        scenario.fault = { context in
            try await context.every(context.scale.pick(short: .milliseconds(1500), full: .seconds(3))) { round in
                let all = processes(context.cluster)
                let process = all[round % all.count]
                await process.kill()
                context.notes.count("kills")
                try await process.start()
            }
            context.notes.add("\(context.notes.counter("kills")) \(kind) kill -9s during \(during)")
        }
        scenario.check = { report in report.faultCounts["kills", default: 0] == 0 ? ["no \(kind) was killed"] : [] }
        return scenario
    }

    static let redisKillFsyncAlways: Scenario = {
        var scenario = Scenario(
            name: "redis-kill-fsync-always",
            summary: "kill -9 Redis (appendonly yes, appendfsync always; edges set to durability: fsync) and restart it on the same port.")
        scenario.appendFsync = "always"
        scenario.durability = .fsync
        scenario.fault = { context in try await killRedisRepeatedly(context) }
        scenario.check = redisWasKilled
        return scenario
    }()

    static let redisKillFsyncEverysec: Scenario = {
        var scenario = Scenario(
            name: "redis-kill-fsync-everysec",
            summary: "kill -9 Redis (appendonly yes, appendfsync everysec; durability: write) and restart it on the same port.")
        scenario.fault = { context in
            try await killRedisRepeatedly(context)
            context.notes.add("everysec: a Redis process kill loses nothing acknowledged (the kernel still holds the AOF writes); a crash of the Redis host can lose up to ~1 s of them (2 s if fsync stalls). Use appendfsync always + durability: fsync when that matters")
        }
        scenario.check = redisWasKilled
        return scenario
    }()

    static let redisDown: Scenario = {
        var scenario = Scenario(name: "redis-down", summary: "Redis gone for 30 s (4 s with --short): edges answer 503 + Retry-After, the sender retries; then Redis returns with its AOF.")
        scenario.sendDuration = { $0.short ? .seconds(10) : .seconds(50) }
        scenario.fault = { context in
            try await context.waitUntil(fraction: 0.2)
            let outage = context.scale.pick(short: .seconds(4), full: .seconds(30))
            await context.cluster.redis.kill()
            try await Task.sleep(for: outage)
            try await restartRedis(context)
            context.notes.add("Redis down for \(outage)")
        }
        scenario.check = { report in report.refusals == 0 ? ["the edges never answered 503 while Redis was down"] : [] }
        return scenario
    }()

    static let redisMaxMemory: Scenario = {
        var scenario = Scenario(name: "redis-maxmemory", summary: "Redis at maxmemory (noeviction) refuses writes: edges answer 503, nothing is half-written; then memory is raised.")
        scenario.fault = { context in
            try await context.waitUntil(fraction: 0.25)
            let admin = context.cluster.admin
            let info = try await admin.send(["INFO", "memory"]).string ?? ""
            let used = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("used_memory:") }.flatMap { Int($0.dropFirst("used_memory:".count)) } ?? 0
            _ = try await admin.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
            _ = try await admin.send(["CONFIG", "SET", "maxmemory", RedisArgument(used + 4 * 1024)])
            let hold = context.scale.pick(short: .seconds(3), full: .seconds(10))
            try await Task.sleep(for: hold)
            _ = try await admin.send(["CONFIG", "SET", "maxmemory", "0"])
            context.notes.add("maxmemory set to used_memory + 4 KiB for \(hold), then lifted")
        }
        scenario.check = { report in
            var failures: [String] = []
            if report.refusals == 0 { failures.append("Redis never refused a write (maxmemory was not reached)") }
            if report.halfWritten > 0 { failures.append("\(report.halfWritten) events answered 'duplicate' after only 503s: half-written") }
            return failures
        }
        return scenario
    }()

    static let endpoints: Scenario = {
        var scenario = Scenario(name: "endpoints", summary: "Receivers misbehave: flapping 503/200, slow (just under and over the timeout), 429 + Retry-After, 410 Gone, connection resets.")
        let secret = ChaosEndpoint.flakySecret
        let patient = ChaosEndpoint.patientSchedule
        scenario.extraEndpoints = [
            ChaosEndpoint("flaky", "flapping", secret: secret, behavior: .flapping(down: .seconds(1), up: .milliseconds(1500)), retrySchedule: patient),
            ChaosEndpoint("flaky", "slow", secret: secret, behavior: .slow(under: .milliseconds(700), over: .milliseconds(1300)), timeout: .seconds(1), retrySchedule: patient),
            ChaosEndpoint("flaky", "throttled", secret: secret, behavior: .throttles(every: 3, retryAfterSeconds: 1), retrySchedule: patient),
            ChaosEndpoint("flaky", "gone", secret: secret, behavior: .gone, expectedDeadLetter: .gone),
            ChaosEndpoint("flaky", "resets", secret: secret, behavior: .resets(every: 3), retrySchedule: patient),
        ]
        scenario.check = { report in
            // Every accepted event must have ended at flaky/gone as a `gone` dead letter.
            report.deadLettered < report.accepted ? ["only \(report.deadLettered) of \(report.accepted) deliveries to the 410 endpoint were dead-lettered"] : []
        }
        return scenario
    }()

    static let configReload: Scenario = {
        var scenario = Scenario(name: "config-reload", summary: "routes.yaml swapped (symlink, as a ConfigMap) every second (2 s full), with SIGHUP every other time.")
        scenario.fault = { context in
            try await context.every(context.scale.pick(short: .seconds(1), full: .seconds(2))) { round in
                try context.cluster.writeRoutes(generation: round + 1)
                if round % 2 == 1 {
                    for process in context.cluster.edges + context.cluster.workers { await process.send(SIGHUP) }
                }
                context.notes.count("reloads")
            }
            context.notes.add("\(context.notes.counter("reloads")) routes.yaml swaps")
        }
        scenario.check = { report in
            // The receivers saw the X-Chaos-Generation header change: the reloads took effect.
            report.generationsSeen < 3 ? ["the reloads did not reach the deliveries (\(report.generationsSeen) header generations seen)"] : []
        }
        return scenario
    }()

    static let clockSkew: Scenario = {
        var scenario = Scenario(name: "clock-skew", summary: "The sender's clock is off by tolerance − 3 s either way (tolerance 30 s); every tenth event is 60 s off and must be refused.")
        scenario.toleranceSeconds = 30
        scenario.skewedSender = true
        scenario.check = { report in
            let outside = (report.sent + 9) / 10
            return report.rejected == outside ? [] : ["expected \(outside) events refused for their timestamp, got \(report.rejected)"]
        }
        return scenario
    }()

    static let workerRollingRestart: Scenario = {
        var scenario = Scenario(name: "worker-rolling-restart", summary: "SIGTERM every worker in turn (graceful drain, exit 0) and start a new one, throughout the traffic.")
        scenario.sendDuration = { $0.short ? .seconds(8) : .seconds(30) }
        scenario.fault = { context in
            var round = 0
            while ContinuousClock.now < context.trafficEnds {
                let worker = context.cluster.workers[round % context.cluster.workers.count]
                let status = await worker.terminate(timeout: .seconds(20))
                if status != 0 { context.notes.count("unclean") }
                context.notes.count("restarts")
                try await worker.start()
                round += 1
            }
            context.notes.add("\(context.notes.counter("restarts")) worker SIGTERM restarts, \(context.notes.counter("unclean")) without a clean exit 0")
        }
        scenario.check = { report in
            var failures: [String] = []
            if report.faultCounts["restarts", default: 0] == 0 { failures.append("no worker was restarted") }
            if report.faultCounts["unclean", default: 0] > 0 { failures.append("a worker did not exit 0 within 20 s of SIGTERM") }
            return failures
        }
        return scenario
    }()

    static let rateLimitedBacklog: Scenario = {
        var scenario = Scenario(
            name: "rate-limited-backlog",
            summary: "A 100,000-delivery backlog (5,000 with --short) for an endpoint rate-limited to 10/s while traffic flows to the healthy ones; then the limit is lifted and the backlog drains.")
        let backlog = ChaosBacklog(
            endpoint: ChaosEndpoint("slowlane", "limited", secret: ChaosEndpoint.flakySecret, rateLimit: "10/s"), perSecond: 10,
            count: { $0.short ? 5_000 : 100_000 })
        scenario.backlog = backlog
        scenario.fault = { context in
            let admin = context.cluster.admin
            let keyspace = Keyspace(prefix: context.cluster.prefix)
            let count = backlog.count(context.scale)
            do {
                try await backlog.inject(count: count, runID: context.runID, admin: admin, keyspace: keyspace)
            } catch {
                throw ChaosError("cannot put the backlog on the deliveries stream: \(error)")
            }
            // Once the workers have taken it off the stream, what it costs Redis while it waits.
            let waiting = WorkerStore(client: admin, blockingClient: admin, keyspace: keyspace)
            while ContinuousClock.now < context.trafficEnds, (try? await waiting.status().waiting) ?? 0 < count / 2 {
                try await Task.sleep(for: .milliseconds(100))
            }
            let began = ContinuousClock.now
            let cpuBefore = try await redisCPUSeconds(admin)
            let addedBefore = try await entriesAdded(admin, stream: keyspace.deliveries)
            try await ContinuousClock().sleep(until: max(context.trafficEnds, began + .seconds(3)))
            let seconds = Double((ContinuousClock.now - began) / .milliseconds(1)) / 1000
            let cpu = (try await redisCPUSeconds(admin) - cpuBefore) / seconds
            let added = try await entriesAdded(admin, stream: keyspace.deliveries) - addedBefore
            context.notes.set("redis cpu permille", Int(cpu * 1000))
            context.notes.set("stream adds", added)
            context.notes.set("stream adds allowed", context.scale.events * ChaosEndpoint.standard.count + Int(seconds.rounded(.up)) * backlog.perSecond * 2 + 100)
            context.notes.add(String(
                format: "%d backlog deliveries for %@ (10/s) waited while traffic flowed: Redis used %.1f%% of a core, the deliveries stream took %d entries in %.1f s",
                count, backlog.endpoint.ref.description, cpu * 100, added, seconds))
            // Lift the limit: the backlog drains, and every delivery of it must arrive.
            try context.cluster.writeRoutes(generation: 1)
            context.notes.add("rate limit lifted at the end of the traffic; the backlog drained")
        }
        scenario.check = { report in
            var failures: [String] = []
            if let p99 = report.p99Delay, p99 >= .seconds(1) {
                failures.append("the healthy endpoints' p99 delay was \(p99) beside the backlog (must stay under 1 s)")
            }
            let permille = report.faultCounts["redis cpu permille", default: 0]
            if permille > 250 { failures.append("Redis used \(permille / 10)% of a core while the backlog waited (its work grows with the backlog)") }
            let added = report.faultCounts["stream adds", default: 0]
            let allowed = report.faultCounts["stream adds allowed", default: 0]
            if added > allowed { failures.append("the deliveries stream took \(added) entries while the backlog waited (at most \(allowed) expected)") }
            return failures
        }
        return scenario
    }()

    private static func redisCPUSeconds(_ admin: RedisClient) async throws -> Double {
        let info = try await admin.send(["INFO", "cpu"]).string ?? ""
        return info.split(whereSeparator: \.isNewline).reduce(0) { total, line in
            guard line.hasPrefix("used_cpu_sys:") || line.hasPrefix("used_cpu_user:") else { return total }
            return total + (Double(line.split(separator: ":").last ?? "") ?? 0)
        }
    }

    private static func entriesAdded(_ admin: RedisClient, stream: String) async throws -> Int {
        let items = try await admin.send(["XINFO", "STREAM", RedisArgument(stream)]).array ?? []
        for index in stride(from: 0, to: items.count - 1, by: 2) where items[index].string == "entries-added" {
            return Int(items[index + 1].int ?? 0)
        }
        throw ChaosError("XINFO STREAM \(stream) has no entries-added (Redis 7 or later is needed)")
    }

    private static let redisWasKilled: @Sendable (ScenarioReport) -> [String] = { report in
        report.faultCounts["redis kills", default: 0] == 0 ? ["Redis was never killed"] : []
    }

    /// kill -9 Redis once (short) or every 8 s (full), restarting it after a second each time.
    static let redisFailoverReplicated = failingOver(
        name: "redis-failover-replicated",
        summary: "The replica loses its link for 1.5 s, then the Redis master is killed (-9) under load and the replica takes over (durability: replicated): nothing acknowledged is lost.",
        durability: .replicated)

    static let redisFailoverWrite = failingOver(
        name: "redis-failover-write",
        summary: "The same partition and failover under durability: write: reports the acknowledged events only the dead master held (the documented trade-off).",
        durability: .write)

    /// The failover scenario (`failOver`) under `durability`. Under `write` the loss is the
    /// mode's documented trade-off: reported, not a failure.
    private static func failingOver(name: String, summary: String, durability: RedisDurability) -> Scenario {
        var scenario = Scenario(name: name, summary: summary)
        scenario.replica = true
        scenario.durability = durability
        scenario.lossIsTheTradeOff = durability == .write
        scenario.sendDuration = { $0.short ? .seconds(8) : .seconds(30) }
        scenario.fault = { context in
            try await failOver(context)
            if durability == .write {
                context.notes.add("durability: write acknowledges what only the master holds: the events it accepted while cut off from its replica died with it (counted as lost above)")
            }
        }
        scenario.check = { report in report.faultCounts["failovers", default: 0] == 0 ? ["no failover happened"] : [] }
        return scenario
    }

    /// Cuts the replica off its master (as a network partition would: the master goes on
    /// accepting writes it cannot replicate) while the workers are stalled (SIGSTOP: a backlog
    /// that only the master holds builds up, as it does whenever delivery lags), kills the master
    /// with SIGKILL, and fails over the way a
    /// Sentinel-managed address (or a virtual IP) does: the replica is promoted, a new, empty node
    /// on the master's old address synchronises from it, and that node is promoted in turn, with
    /// the old replica following it. Edges and workers keep their one Redis address throughout and
    /// see only an outage (refused connections, then a read-only replica) while it happens.
    private static func failOver(_ context: FaultContext) async throws {
        guard let replica = context.cluster.replica else { throw ChaosError("the failover scenarios need Redis's replica") }
        let master = context.cluster.redis
        try await context.waitUntil(fraction: 0.3)
        for worker in context.cluster.workers { await worker.send(SIGSTOP) }
        try await ChaosCluster.command(on: replica.url, ["REPLICAOF", "NO", "ONE"])
        // The fault's length, not a wait for something: how long the partition lasts.
        try await Task.sleep(for: .milliseconds(1500))
        await master.kill()
        for worker in context.cluster.workers { await worker.send(SIGCONT) }
        context.notes.count("failovers")
        let began = ContinuousClock.now
        do {
            try await master.restartEmpty(asReplicaOf: replica.port)
            try await ChaosCluster.until("the new node on the master's address has synchronised") {
                let node = try await ChaosCluster.info(on: master.url, "replication")
                let source = try await ChaosCluster.info(on: replica.url, "replication")
                return node.contains("master_link_status:up") && offset(node) != nil && offset(node) == offset(source)
            }
            try await ChaosCluster.command(on: master.url, ["REPLICAOF", "NO", "ONE"])
            try await ChaosCluster.follow(replica, master: master)
        } catch let error as ChaosError {
            throw error
        } catch {
            throw ChaosError("the failover failed: \(error)")
        }
        context.notes.add("replica cut off its master (and workers stalled) for 1.5 s from 30% of the traffic, then master kill -9; replica promoted; the master's address served again from its data after \(ContinuousClock.now - began)")
    }

    static let redisClusterMasterKill = killingClusterMaster(
        name: "redis-cluster-master-kill", durability: .replicated,
        summary: "On a Redis Cluster (3 masters, 3 replicas; durability: replicated), kill -9 the master serving Sluice's slot under load: its replica takes over, the killed node returns as its replica, and nothing acknowledged is lost.")

    static let redisClusterMasterKillWrite = killingClusterMaster(
        name: "redis-cluster-master-kill-write", durability: .write,
        summary: "The same master kill under durability: write: what the master acknowledged but had not yet replicated dies with it, the documented trade-off; the scenario reports how much.")

    /// kill -9 the master serving Sluice's slot at 40% of the traffic, under `durability`.
    private static func killingClusterMaster(name: String, durability: RedisDurability, summary: String) -> Scenario {
        var scenario = Scenario(name: name, summary: summary)
        scenario.cluster = true
        scenario.durability = durability
        scenario.lossIsTheTradeOff = durability != .replicated
        scenario.sendDuration = { $0.short ? .seconds(8) : .seconds(30) }
        scenario.fault = { context in
            guard let redisCluster = context.cluster.redisCluster else { throw ChaosError("this scenario needs the Redis Cluster") }
            try await context.waitUntil(fraction: 0.4)
            guard let master = await redisCluster.master(of: context.cluster.prefix) else {
                throw ChaosError("no master of the slot of {\(context.cluster.prefix)} found")
            }
            let began = ContinuousClock.now
            await master.kill()
            context.notes.count("failovers")
            try await ChaosCluster.until("a replica took the slot over") {
                await redisCluster.master(of: context.cluster.prefix).map { $0.port != master.port } ?? false
            }
            let promoted = ContinuousClock.now - began
            // The crashed node comes back (its data directory and cluster config intact) and joins
            // as the new master's replica: until then `replicated` has no replica to wait for, and
            // the edges refuse (503), as they must.
            do {
                try await master.restart()
            } catch {
                throw ChaosError("the killed cluster node did not come back: \(error)")
            }
            context.notes.add("the master of {\(context.cluster.prefix)}'s slot (port \(master.port)) killed at 40% of the traffic; a replica held the slot \(promoted) later, and the killed node came back as its replica")
        }
        scenario.check = { report in report.faultCounts["failovers", default: 0] == 0 ? ["no failover happened"] : [] }
        return scenario
    }

    /// `master_repl_offset` from an `INFO replication` text.
    private static func offset(_ info: String) -> Int? {
        info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("master_repl_offset:") }.flatMap { Int($0.dropFirst("master_repl_offset:".count)) }
    }

    private static func killRedisRepeatedly(_ context: FaultContext) async throws {
        if context.scale.short {
            try await context.waitUntil(fraction: 0.4)
            try await killAndRestartRedis(context)
        } else {
            try await context.every(.seconds(8)) { _ in try await killAndRestartRedis(context) }
        }
        context.notes.add("Redis kill -9 ×\(context.notes.counter("redis kills")), each restarted after 1 s from its AOF")
    }

    private static func killAndRestartRedis(_ context: FaultContext) async throws {
        await context.cluster.redis.kill()
        context.notes.count("redis kills")
        try await Task.sleep(for: .seconds(1))
        try await restartRedis(context)
    }

    private static func restartRedis(_ context: FaultContext) async throws {
        do {
            try await context.cluster.redis.restart()
        } catch {
            throw ChaosError("redis-server did not come back after the fault: \(error.message)")
        }
    }
}
