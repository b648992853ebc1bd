import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Sends a fixed list of pre-built requests over `connections` keep-alive connections,
/// one OS thread each, and measures throughput and latency.
///
/// Closed loop (no `rate`): each connection sends its next request as soon as the previous
/// answer arrived, so throughput is the server's maximum and latency is per round trip — and
/// mean latency is simply `connections / throughput`.
///
/// Open loop (`rate` set): request `i` is due at `start + i / rate`, whatever happened to
/// earlier ones, and its latency is measured from that due time, not from when a connection
/// got round to sending it. A server that stalls therefore pays for every request that should
/// have been sent during the stall (no coordinated omission, as in wrk2).
struct LoadRun {
    struct Report {
        var requests: Int
        var seconds: Double
        var statuses: [Int: Int]
        var errors: [String: Int]
        var latenciesMicros: [UInt32]
        /// For each of `latenciesMicros`, the second of the run its latency was measured from.
        var originSeconds: [UInt16] = []

        var requestsPerSecond: Double { Double(requests) / seconds }

        func percentile(_ p: Double) -> Double {
            guard !latenciesMicros.isEmpty else { return 0 }
            let sorted = latenciesMicros.sorted()
            let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
            return Double(sorted[max(0, index)]) / 1000
        }

        /// Latencies second by second (by when each was measured from): whether a high percentile
        /// comes from the whole run or from a few stalls.
        func timeline() -> [(second: Int, report: Report)] {
            var bySecond: [Int: [UInt32]] = [:]
            for (latency, second) in zip(latenciesMicros, originSeconds) { bySecond[Int(second), default: []].append(latency) }
            return bySecond.keys.sorted().map { second in
                let latencies = bySecond[second]!
                return (second, Report(requests: latencies.count, seconds: 1, statuses: [:], errors: [:], latenciesMicros: latencies))
            }
        }
    }

    var host: String
    var port: UInt16
    var connections: Int
    /// How many requests to send.
    var count: Int
    /// The bytes of request `i`, built when it is sent (so it may carry its send time).
    var request: @Sendable (Int) -> [UInt8]
    /// Requests per second for an open-loop run; nil sends as fast as answers come back.
    var rate: Double?

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
        let results = Mutex<[(statuses: [Int: Int], errors: [String: Int], latencies: [UInt32], origins: [UInt16])]>([])
        let group = DispatchGroup()
        let count = self.count
        let request = self.request
        // Nanoseconds between due times; nil in a closed loop.
        let interval = rate.map { 1e9 / $0 }
        let start = Self.monotonicNanos()
        for _ in 0..<connections {
            group.enter()
            let host = self.host
            let port = self.port
            let thread = Thread {
                var statuses: [Int: Int] = [:]
                var errors: [String: Int] = [:]
                var latencies: [UInt32] = []
                var origins: [UInt16] = []
                latencies.reserveCapacity(count / max(1, connections) + 16)
                origins.reserveCapacity(count / max(1, connections) + 16)
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
                        var origin = Self.monotonicNanos()
                        if let interval {
                            let due = start + UInt64(Double(i) * interval)
                            if due > origin { Self.sleep(until: due) }
                            origin = due
                        }
                        let status = try connection.roundTrip(request(i))
                        latencies.append(UInt32(clamping: (Self.monotonicNanos() - origin) / 1000))
                        origins.append(UInt16(clamping: (origin - start) / 1_000_000_000))
                        statuses[status, default: 0] += 1
                    } catch {
                        errors["\(error)", default: 0] += 1
                        connected = false
                    }
                }
                results.withLock { $0.append((statuses, errors, latencies, origins)) }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let elapsed = Double(Self.monotonicNanos() - start) / 1e9
        var report = Report(requests: count, seconds: elapsed, statuses: [:], errors: [:], latenciesMicros: [])
        for r in results.withLock({ $0 }) {
            report.statuses.merge(r.statuses, uniquingKeysWith: +)
            report.errors.merge(r.errors, uniquingKeysWith: +)
            report.latenciesMicros.append(contentsOf: r.latencies)
            report.originSeconds.append(contentsOf: r.origins)
        }
        return report
    }

    /// CLOCK_MONOTONIC in nanoseconds: the clock `sleep(until:)` waits on, so due times and
    /// measurements agree.
    static func monotonicNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Sleeps until an absolute CLOCK_MONOTONIC time (retrying after signals).
    static func sleep(until nanos: UInt64) {
        var due = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nil) == EINTR {}
    }
}
