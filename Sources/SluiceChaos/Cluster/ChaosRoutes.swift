import SluiceCore

/// The routes.yaml a scenario runs with: one HMAC-verified `gemini` source, the scenario's
/// endpoints on the scripted receiver, one route fanning every event out to all of them.
///
/// Retry schedules and timeouts are compressed (seconds, not hours) so that a run settles in
/// seconds; the shape of the schedule is the production one.
enum ChaosRoutes {
    static let sourceSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// - Parameter generation: changes a header and an unrelated tenant, for the reload scenario;
    ///   endpoints' rate limits hold in generation 0 only (the backlog scenario lifts its limit so).
    static func render(_ scenario: Scenario, prefix: String, receiver: String, generation: Int = 0) -> String {
        var tenants: [String: [ChaosEndpoint]] = [:]
        for endpoint in scenario.endpoints + [scenario.backlog?.endpoint].compactMap({ $0 }) {
            tenants[endpoint.ref.tenant, default: []].append(endpoint)
        }
        let longest = scenario.endpoints.map(\.timeout).max() ?? .seconds(2)
        var text = """
            version: 1
            redis: {prefix: \(prefix), durability: \(scenario.durability.rawValue)\(scenario.partitions > 1 ? ", partitions: \(scenario.partitions)" : "")}
            network: {allow_cidrs: [127.0.0.1/32]}
            sources:
              gemini:
                kind: standard-webhooks
                verify:
                  hmac: {secrets: ["\(sourceSecret)"]}
                  tolerance: \(scenario.toleranceSeconds)s
                dedupe_window: 1h
            tenants:

            """
        for tenant in tenants.keys.sorted() {
            let endpoints = tenants[tenant]!
            text += "  \(tenant):\n    signing: {secrets: [\"\(endpoints[0].secret)\"]}\n    endpoints:\n"
            for endpoint in endpoints {
                text += """
                          \(endpoint.ref.endpoint):
                            url: "\(receiver)\(endpoint.path)"
                            timeout: \(millis(endpoint.timeout))ms
                            retry: {schedule: \(endpoint.retrySchedule), jitter: 20%}
                            circuit_breaker: {failures: 20, cooldown: 2s}
                            headers: {X-Chaos-Generation: "\(generation)"}

                    """
                if let limit = endpoint.rateLimit, generation == 0 {
                    text += "        rate_limit: \(limit)\n"
                }
            }
        }
        if generation % 2 == 1 {
            // A tenant that comes and goes with reloads; no route names it.
            text += "  spare:\n    signing: {secrets: [\"\(ChaosEndpoint.flakySecret)\"]}\n    endpoints:\n      hook: {url: \"\(receiver)/spare/hook\", timeout: 1s}\n"
        }
        text += "routes:\n  - name: everything\n    match: {source: gemini}\n    to: [\(scenario.endpoints.map { $0.ref.description }.joined(separator: ", "))]\n"
        // Short, so a killed worker's deliveries are reclaimed within seconds, but with room for a
        // worker slowed by a busy CPU: a delivery held longer than this is handed to another worker.
        text += "worker:\n  visibility_timeout: \(millis(longest) + 8000)ms\n"
        return text
    }

    private static func millis(_ duration: Duration) -> Int64 {
        duration.wholeMilliseconds
    }
}
