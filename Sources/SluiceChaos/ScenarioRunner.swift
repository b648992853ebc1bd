import Foundation
import SluiceDelivery
import SluiceRedis
import SluiceTesting

/// Runs one scenario end to end: receivers, Redis, edges and workers up; traffic and the fault
/// at the same time; then waits (bounded) for the gateway to settle and does the accounting.
public struct ScenarioRunner: Sendable {
    /// The `sluice` executable.
    public let sluice: String
    public let scale: ChaosScale
    /// Each scenario gets a subdirectory with routes.yaml, Redis's data and every process's log.
    public let workDirectory: String
    /// Progress lines.
    public let progress: @Sendable (String) -> Void

    public init(sluice: String, scale: ChaosScale, workDirectory: String, progress: @escaping @Sendable (String) -> Void = { _ in }) throws(ChaosError) {
        self.sluice = try SluiceExecutable.validate(sluice)
        self.scale = scale
        self.workDirectory = workDirectory
        self.progress = progress
    }

    /// Runs `scenario`; a report with `passed == false` means the gateway misbehaved, a thrown
    /// `ChaosError` that the harness could not carry the scenario out.
    public func run(_ scenario: Scenario) async throws -> ScenarioReport {
        let began = ContinuousClock.now
        let directory = "\(workDirectory)/\(scenario.name)"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let runID = String(UUID().uuidString.prefix(6)).lowercased()
        let sent = SenderLedger(ChaosSender.events(count: scale.events, runID: runID, scenario: scenario))
        let received = ReceiverLedger()
        let client = try HTTPClient()
        defer { client.shutdown() }

        var report = try await withSink { sink in
            let receiver = ChaosReceiver(sink: sink, ledger: received, sent: sent, started: .now, runID: runID)
            try await receiver.install(scenario)
            progress("\(scenario.name): starting redis-server, 2 edges, 2 workers")
            let cluster = try await ChaosCluster.start(scenario, sluice: sluice, directory: directory, receiver: sink.baseURL, client: client)
            do {
                let report = try await drive(scenario, cluster: cluster, sent: sent, received: received, client: client, runID: runID)
                await cluster.stop()
                return report
            } catch {
                await cluster.stop()
                throw error
            }
        }
        report.duration = ContinuousClock.now - began
        report.failures += Self.generalFailures(report, scenario: scenario)
        report.failures += scenario.check(report)
        report.failures = report.failures.reduce(into: []) { unique, failure in if !unique.contains(failure) { unique.append(failure) } }
        if report.passed {
            try? FileManager.default.removeItem(atPath: directory)
            // Removes the run's directory too once its last scenario passed (rmdir fails while anything is kept).
            rmdir(workDirectory)
        } else {
            report.notes.append("logs kept in \(directory)")
        }
        return report
    }

    private func drive(
        _ scenario: Scenario, cluster: ChaosCluster, sent: SenderLedger, received: ReceiverLedger, client: HTTPClient, runID: String
    ) async throws -> ScenarioReport {
        let window = scenario.sendDuration(scale)
        let start = ContinuousClock.now + .milliseconds(200)
        let notes = FaultNotes()
        let context = FaultContext(cluster: cluster, scale: scale, started: start, trafficEnds: start + window, notes: notes, runID: runID)
        let sender = ChaosSender(client: client, cluster: cluster, ledger: sent)
        progress("\(scenario.name): sending \(sent.count) events over \(window) while the fault runs")
        async let fault: Void = scenario.fault(context)
        // Long enough for every outage a scenario causes; an event still unanswered then is reported, not lost.
        await sender.run(start: start, window: window, giveUpAt: start + window + scale.pick(short: .seconds(60), full: .seconds(120)))
        try await fault

        progress("\(scenario.name): waiting for the gateway to settle")
        let store = cluster.stores
        let settled = await settle(store, deadline: .now + scale.pick(short: .seconds(90), full: .seconds(300)))
        let deadLetters: [DeadLetterEntry]
        do {
            deadLetters = try await store.deadLetters()
        } catch {
            throw ChaosError("cannot read the dead letters from Redis: \(error.message)")
        }
        var report = Accountant(scenario: scenario, sent: sent, received: received, deadLetters: deadLetters).report()
        report.settled = settled
        if let backlog = scenario.backlog { account(backlog, runID: runID, received: received, into: &report) }
        report.notes = notes.all + report.notes
        report.faultCounts = notes.allCounters
        return report
    }

    /// Waits until ingress, deliveries (pending included), the retry set and the waiting lines have stayed empty for
    /// two seconds (a receiver may still be finishing a slow answer), or `deadline` passes.
    private func settle(_ store: WorkerStores, deadline: ContinuousClock.Instant) async -> Bool {
        var quietSince: ContinuousClock.Instant?
        while ContinuousClock.now < deadline {
            let quiet: Bool
            if let status = try? await store.status() {
                quiet = status.ingressLength == 0 && status.ingressPending == 0 && status.deliveriesLength == 0
                    && status.deliveriesPending == 0 && status.retryBacklog == 0 && status.waiting == 0
            } else {
                quiet = false
            }
            if quiet {
                let since = quietSince ?? .now
                quietSince = since
                if ContinuousClock.now - since >= .seconds(2) { return true }
            } else {
                quietSince = nil
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// Every backlog delivery must have arrived once the limit was lifted; a missing one is lost.
    private func account(_ backlog: ChaosBacklog, runID: String, received: ReceiverLedger, into report: inout ScenarioReport) {
        let count = backlog.count(scale)
        var missing: [String] = []
        var duplicates = 0
        for index in 0..<count {
            let id = ChaosBacklog.id(runID: runID, index: index)
            let arrivals = received.deliveries(of: id, to: backlog.endpoint.ref)
            if arrivals.isEmpty { missing.append(id) } else { duplicates += arrivals.count - 1 }
        }
        report.expected += count
        report.delivered += count - missing.count
        report.duplicates += duplicates
        report.lost += missing.count
        report.samples += missing.prefix(3).map { "\($0) → \(backlog.endpoint.ref): backlog delivery never arrived" }
        report.perEndpoint.append(
            "\(backlog.endpoint.ref) (rate_limit \(backlog.perSecond)/s, then lifted): \(count - missing.count) of \(count) backlog deliveries, \(duplicates) duplicates")
    }

    /// What every scenario must satisfy.
    static func generalFailures(_ report: ScenarioReport, scenario: Scenario) -> [String] {
        var failures: [String] = []
        if report.lost > 0 && !scenario.lossIsTheTradeOff { failures.append("\(report.lost) accepted deliveries lost") }
        if !report.settled { failures.append("the gateway did not settle (queues, pending entries or retries left) before the deadline") }
        if report.badSignatures > 0 { failures.append("\(report.badSignatures) deliveries with a signature that does not verify with the tenant's secret") }
        if report.wrongBodies > 0 { failures.append("\(report.wrongBodies) deliveries whose body differs from what was sent") }
        if report.rejected > 0 && !scenario.skewedSender { failures.append("\(report.rejected) correctly signed events refused with a 4xx") }
        if report.accepted == 0 { failures.append("no event was accepted") }
        return failures
    }
}
