import Synchronization

/// What a scenario's fault can act on: the running gateway, the traffic's schedule, and notes
/// for the report.
public struct FaultContext: Sendable {
    let cluster: ChaosCluster
    let scale: ChaosScale
    /// When the traffic started.
    let started: ContinuousClock.Instant
    /// When the traffic stops; repeating faults stop repeating then.
    let trafficEnds: ContinuousClock.Instant
    let notes: FaultNotes
    /// This run's id, part of every webhook-id it makes up.
    let runID: String

    /// Sleeps until `fraction` of the traffic's duration has passed.
    func waitUntil(fraction: Double) async throws {
        let total = trafficEnds - started
        try await ContinuousClock().sleep(until: started + total * fraction)
    }

    /// Runs `action` every `interval` (first after one interval) until the traffic ends.
    func every(_ interval: Duration, _ action: (Int) async throws -> Void) async throws {
        var round = 0
        while ContinuousClock.now + interval < trafficEnds {
            try await Task.sleep(for: interval)
            try await action(round)
            round += 1
        }
    }
}

/// Lines a fault adds to its scenario's report (what it did, what it saw).
final class FaultNotes: Sendable {
    private let lines = Mutex<[String]>([])
    private let counters = Mutex<[String: Int]>([:])

    func add(_ line: String) { lines.withLock { $0.append(line) } }

    func count(_ key: String) { counters.withLock { $0[key, default: 0] += 1 } }

    /// Records a measured figure under `key` (for the scenario's checks).
    func set(_ key: String, _ value: Int) { counters.withLock { $0[key] = value } }

    var all: [String] { lines.withLock { $0 } }

    func counter(_ key: String) -> Int { counters.withLock { $0[key] ?? 0 } }

    var allCounters: [String: Int] { counters.withLock { $0 } }
}
