import ArgumentParser
import Foundation
import SluiceDelivery

/// `sluice-bench http`: Sluice's outbound HTTP client (the worker's libcurl engine) alone, POSTing
/// a webhook-sized body with a delivery's headers to one URL, with a fixed number of requests in
/// flight. Reports the process's CPU per request, to set beside `bench/curl_floor.c` (libcurl
/// alone, in C) and the worker's CPU per delivery.
struct HTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "POST through Sluice's libcurl engine and report req/s and CPU per request."
    )

    @Option(help: "Target URL.")
    var url: String

    @Option(help: "Requests to send.")
    var requests: Int = 200_000

    @Option(help: "Requests in flight at once.")
    var concurrency: Int = 80

    func validate() throws {
        guard requests > 0, concurrency > 0 else { throw ValidationError("--requests and --concurrency must be positive") }
    }

    func run() async throws {
        let client = try HTTPClient(configuration: .init(maxConnectionsPerHost: concurrency, maxCachedConnections: concurrency))
        defer { client.shutdown() }
        let body = Array(#"{"type":"batch.succeeded","data":{"batch":"batches/1"}}"#.utf8)
        let headers = [
            ("content-type", "application/json"), ("webhook-id", "msg_floor"), ("webhook-timestamp", "1764000000"),
            ("webhook-signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="), ("user-agent", "sluice/bench"),
            ("x-sluice-attempt", "1"), ("x-sluice-event-type", "batch.succeeded"), ("x-sluice-source", "gemini"),
        ].map { HTTPHeader(name: $0.0, value: $0.1) }
        let request = HTTPRequest(url: url, headers: headers, body: body, timeout: .seconds(10), keptResponseHeaders: [])
        let (total, workers) = (requests, concurrency)
        let cpu0 = Self.cpuSeconds()
        let clock = ContinuousClock()
        let started = clock.now
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var failed = 0
                    var index = worker
                    while index < total {
                        let response = try? await client.execute(request)
                        if response?.status != 200 { failed += 1 }
                        index += workers
                    }
                    return failed
                }
            }
            return try await group.reduce(0, +)
        }
        let seconds = (clock.now - started) / .seconds(1)
        let cpu = Self.cpuSeconds() - cpu0
        print("requests\t\(total)\nfailed\t\(failures)\nconcurrency\t\(workers)")
        print(String(format: "req_per_s\t%.0f\ncpu_us\t%.1f", Double(total) / seconds, cpu * 1e6 / Double(total)))
        if failures > 0 { throw ExitCode(1) }
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
