import Foundation

/// Reads one series from Prometheus text exposition (gauges render as `1.0`, counters as `1`).
enum MetricsText {
    /// The value of the series named exactly `series` (name and labels as rendered), or nil.
    static func value(of series: String, in text: String) -> Double? {
        let prefix = series + " "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return Double(line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces))
    }
}

/// A switch a sink handler reads on every request, so a test can make an endpoint recover.
actor EndpointHealth {
    private(set) var healthy: Bool

    init(healthy: Bool) {
        self.healthy = healthy
    }

    func set(_ healthy: Bool) {
        self.healthy = healthy
    }
}
