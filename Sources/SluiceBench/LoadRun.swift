import Foundation
import Synchronization

/// Sends a fixed list of pre-built requests over `connections` keep-alive connections,
/// one OS thread each, and measures throughput and latency.
struct LoadRun {
    struct Report {
        var requests: Int
        var seconds: Double
        var statuses: [Int: Int]
        var errors: [String: Int]
        var latenciesMicros: [UInt32]

        var requestsPerSecond: Double { Double(requests) / seconds }

        func percentile(_ p: Double) -> Double {
            guard !latenciesMicros.isEmpty else { return 0 }
            let sorted = latenciesMicros.sorted()
            let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
            return Double(sorted[max(0, index)]) / 1000
        }
    }

    var host: String
    var port: UInt16
    var connections: Int
    /// How many requests to send.
    var count: Int
    /// The bytes of request `i`, built when it is sent (so it may carry its send time).
    var request: @Sendable (Int) -> [UInt8]

    init(host: String, port: UInt16, connections: Int, requests: [[UInt8]]) {
        self.init(host: host, port: port, connections: connections, count: requests.count) { requests[$0] }
    }

    init(host: String, port: UInt16, connections: Int, count: Int, request: @escaping @Sendable (Int) -> [UInt8]) {
        self.host = host
        self.port = port
        self.connections = connections
        self.count = count
        self.request = request
    }

    func run() -> Report {
        let next = Atomic<Int>(0)
        let results = Mutex<[(statuses: [Int: Int], errors: [String: Int], latencies: [UInt32])]>([])
        let group = DispatchGroup()
        let count = self.count
        let request = self.request
        let start = ContinuousClock.now
        for _ in 0..<connections {
            group.enter()
            let host = self.host
            let port = self.port
            let thread = Thread {
                var statuses: [Int: Int] = [:]
                var errors: [String: Int] = [:]
                var latencies: [UInt32] = []
                latencies.reserveCapacity(count / max(1, connections) + 16)
                let connection = LoadConnection(host: host, port: port)
                var connected = false
                while true {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    if i >= count { break }
                    do {
                        if !connected {
                            try connection.connect()
                            connected = true
                        }
                        let t0 = ContinuousClock.now
                        let status = try connection.roundTrip(request(i))
                        let elapsed = ContinuousClock.now - t0
                        latencies.append(UInt32(clamping: elapsed.components.attoseconds / 1_000_000_000_000 + elapsed.components.seconds * 1_000_000))
                        statuses[status, default: 0] += 1
                    } catch {
                        errors["\(error)", default: 0] += 1
                        connected = false
                    }
                }
                results.withLock { $0.append((statuses, errors, latencies)) }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let elapsed = ContinuousClock.now - start
        var report = Report(requests: count, seconds: Self.seconds(elapsed), statuses: [:], errors: [:], latenciesMicros: [])
        for r in results.withLock({ $0 }) {
            report.statuses.merge(r.statuses, uniquingKeysWith: +)
            report.errors.merge(r.errors, uniquingKeysWith: +)
            report.latenciesMicros.append(contentsOf: r.latencies)
        }
        return report
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
