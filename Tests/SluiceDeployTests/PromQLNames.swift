/// Finds the metric names a PromQL expression selects, so the examples can be checked
/// against the metrics Sluice exports (docs/metrics.md).
enum PromQLNames {
    /// The metrics docs/metrics.md lists.
    static let sluiceMetrics: Set<String> = [
        "sluice_ingest_total", "sluice_ingest_seconds", "sluice_deliveries_total", "sluice_delivery_seconds",
        "sluice_queue_depth", "sluice_retry_backlog", "sluice_dlq_size", "sluice_endpoint_circuit_open", "sluice_ingress_partitions", "sluice_worker_partitions",
        "sluice_config_reloads_total", "sluice_edge_connections", "sluice_edge_buffered_bytes", "sluice_edge_connections_shed_total",
        "sluice_waiting_deliveries", "sluice_undecodable_entries_total", "sluice_dead_letters_total", "sluice_edge_accepting",
        "sluice_config_last_reload_successful",
    ]

    /// The histograms among them, which Prometheus exposes as `_bucket`, `_sum` and `_count` series.
    static let histograms: Set<String> = ["sluice_ingest_seconds", "sluice_delivery_seconds"]

    private static let keywords: Set<String> = [
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right",
        "inf", "nan", "Inf", "NaN",
    ]

    /// The metric names in `expression`, with histogram series mapped to their histogram's name.
    static func metricNames(in expression: String) -> Set<String> {
        var text = expression
        // Grafana variables, string literals, label matchers, range selectors and grouping
        // label lists hold names that are not metrics.
        text.replace(#/\$\{[^}]*\}|\$\w+/#, with: "")
        text.replace(#/"(?:[^"\\]|\\.)*"/#, with: "")
        text.replace(#/\{[^}]*\}/#, with: "")
        text.replace(#/\[[^\]]*\]/#, with: "")
        text.replace(#/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/#, with: "")
        var names = Set<String>()
        for match in text.matches(of: #/([0-9.]*[A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/#) {
            let token = String(match.output.1)
            let isCall = match.output.2 != nil
            guard !isCall, let first = token.first, !first.isNumber, first != ".", !keywords.contains(token) else { continue }
            names.insert(histogramName(of: token))
        }
        return names
    }

    private static func histogramName(of series: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where series.hasSuffix(suffix) {
            let base = String(series.dropLast(suffix.count))
            if histograms.contains(base) { return base }
        }
        return series
    }
}
