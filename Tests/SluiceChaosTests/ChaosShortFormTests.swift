import Foundation
import SluiceChaos
import Testing

/// The chaos harness's short form (issue #6): every scenario against the debug `sluice` binary,
/// with real redis-server, edge and worker processes. Serialized: each scenario wants the CPU for
/// its own processes, and timings stay meaningful.
@Suite(.serialized) struct ChaosShortFormTests {
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-chaos-tests-\(UUID().uuidString.prefix(8))").path

    static func run(_ name: String) async throws -> ScenarioReport {
        let runner = try ScenarioRunner(sluice: SluiceExecutable.besideCurrentExecutable, scale: ChaosScale(short: true), workDirectory: directory)
        let report = try await runner.run(try Scenario.named(name))
        // The table row and notes make a failure readable in the CI log.
        let summary = ReportTable.text([report]) + "\n" + ReportTable.details([report])
        #expect(report.lost == 0, "\(summary)")
        #expect(report.passed, "\(summary)")
        #expect(report.accepted > 0 && report.delivered > 0, "\(summary)")
        return report
    }

    @Test(arguments: ["baseline", "worker-kill", "edge-kill", "redis-kill-fsync-always", "redis-kill-fsync-everysec", "config-reload", "worker-rolling-restart"])
    func scenarioLosesNothing(_ name: String) async throws {
        let report = try await Self.run(name)
        #expect(report.accepted == report.sent, "the sender retries until every event is accepted")
        #expect(report.delivered == report.expected, "no endpoint in this scenario dead-letters")
    }

    /// A failover to a replica that was cut off while the master accepted events: with
    /// `durability: replicated` the edges refused what the replica did not hold, so nothing
    /// acknowledged dies with the master.
    @Test func aFailoverUnderReplicatedDurabilityLosesNothing() async throws {
        let report = try await Self.run("redis-failover-replicated")
        #expect(report.refusals > 0, "the edges answered 503 while the replica was cut off and while Redis failed over")
        #expect(report.accepted == report.sent)
    }

    /// The same failover under `durability: write` loses what only the dead master held — the
    /// trade-off the README documents, and the proof that the harness sees a loss when there is one.
    @Test func theSameFailoverUnderWriteDurabilityLosesWhatOnlyTheMasterHeld() async throws {
        let runner = try ScenarioRunner(sluice: SluiceExecutable.besideCurrentExecutable, scale: ChaosScale(short: true), workDirectory: Self.directory)
        let report = try await runner.run(try Scenario.named("redis-failover-write"))
        let summary = ReportTable.text([report]) + "\n" + ReportTable.details([report])
        #expect(report.lost > 0, "\(summary)")
        #expect(report.passed, "the loss is the scenario's measured trade-off, not a failure: \(summary)")
    }

    /// On a Redis Cluster, the master serving Sluice's slot dies and a replica takes over.
    @Test func aClusterMasterKillLosesNothing() async throws {
        let report = try await Self.run("redis-cluster-master-kill")
        #expect(report.accepted == report.sent)
    }

    /// The same master kill under `durability: write`: whatever only the dead master held is
    /// lost, the documented trade-off (on loopback the replica mostly keeps up); the scenario
    /// reports the count and passes either way, as long as the failover happened.
    @Test func aClusterMasterKillUnderWriteDurabilityReportsItsTradeOff() async throws {
        let runner = try ScenarioRunner(sluice: SluiceExecutable.besideCurrentExecutable, scale: ChaosScale(short: true), workDirectory: Self.directory)
        let report = try await runner.run(try Scenario.named("redis-cluster-master-kill-write"))
        let summary = ReportTable.text([report]) + "\n" + ReportTable.details([report])
        #expect(report.passed, "\(summary)")
        #expect(report.faultCounts["failovers", default: 0] == 1, "\(summary)")
        #expect(report.accepted == report.sent, "\(summary)")
    }

    /// With 6 partitions on a Redis Cluster, `redis-cli --cluster reshard` moves every partition
    /// one master serves to another while events flow.
    @Test func aLiveReshardLosesNothing() async throws {
        let report = try await Self.run("redis-cluster-reshard")
        #expect(report.accepted == report.sent)
        #expect(report.delivered == report.expected)
    }

    /// With 4 partitions, a worker joins, one leaves by SIGTERM and one is killed: every partition
    /// stays read (an unread one would show as lost deliveries).
    @Test func workersJoiningAndLeavingLoseNothing() async throws {
        let report = try await Self.run("worker-join-leave")
        #expect(report.accepted == report.sent)
        #expect(report.delivered == report.expected)
    }

    @Test func redisDownIsAnswered503AndRecovered() async throws {
        let report = try await Self.run("redis-down")
        #expect(report.refusals > 0)
        #expect(report.accepted == report.sent)
    }

    @Test func redisAtMaxMemoryRefusesWithoutHalfWrites() async throws {
        let report = try await Self.run("redis-maxmemory")
        #expect(report.refusals > 0)
        #expect(report.halfWritten == 0)
        #expect(report.delivered == report.expected)
    }

    @Test func misbehavingEndpointsDeadLetterOnlyTheGoneOne() async throws {
        let report = try await Self.run("endpoints")
        #expect(report.deadLettered == report.accepted, "exactly the 410 endpoint's deliveries are dead letters")
        #expect(report.delivered == report.expected - report.accepted)
    }

    @Test func aRateLimitedBacklogWaitsWithoutSlowingOthersOrGrowingRedisWork() async throws {
        let report = try await Self.run("rate-limited-backlog")
        #expect(report.accepted == report.sent)
        #expect(report.delivered == report.expected, "every event and every backlog delivery arrived")
        #expect(report.faultCounts["stream adds", default: 0] > 0, "the backlog's cost was measured")
    }

    @Test func skewedTimestampsAtTheToleranceEdgeAreAccepted() async throws {
        let report = try await Self.run("clock-skew")
        #expect(report.rejected == (report.sent + 9) / 10)
        #expect(report.accepted == report.sent - report.rejected)
    }
}
