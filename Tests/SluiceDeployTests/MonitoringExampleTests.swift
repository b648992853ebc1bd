import Foundation
import Testing

/// The example Grafana dashboard and Prometheus alerts under deploy/ parse and query only
/// metrics that Sluice exports.
@Suite struct MonitoringExampleTests {
    private static let deploy = RepoTool.root.appendingPathComponent("deploy")

    @Test func grafanaDashboardsAreJSONAndQueryOnlySluiceMetrics() async throws {
        let folder = Self.deploy.appendingPathComponent("grafana")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        try #require(!files.isEmpty, "no dashboard in deploy/grafana")
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(file)")
            let expressions = Self.expressions(in: dashboard)
            #expect(!expressions.isEmpty, "\(file) has no queries")
            for expression in expressions {
                let names = PromQLNames.metricNames(in: expression)
                #expect(!names.isEmpty, "\(file): \(expression) selects no metric")
                #expect(names.isSubset(of: PromQLNames.sluiceMetrics), "\(file): \(expression) uses \(names)")
            }
        }
    }

    @Test func prometheusAlertsAreYAMLAndQueryOnlySluiceMetrics() async throws {
        let folder = Self.deploy.appendingPathComponent("prometheus")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        try #require(!files.isEmpty, "no rule file in deploy/prometheus")
        for file in files {
            let result = try await RepoTool.python(
                """
                import json, sys, yaml
                doc = yaml.safe_load(open(sys.argv[1]))
                groups = doc["spec"]["groups"] if doc.get("kind") == "PrometheusRule" else doc["groups"]
                rules = [r for g in groups for r in g["rules"]]
                assert all("alert" in r and r["expr"] and r["labels"]["severity"] for r in rules)
                print(json.dumps([r["expr"] for r in rules]))
                """,
                [folder.appendingPathComponent(file).path]
            )
            try #require(result.status == 0, "\(file): \(result.output)")
            let expressions = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String])
            #expect(expressions.count >= 5, "\(file): only \(expressions.count) alerts")
            for expression in expressions {
                let names = PromQLNames.metricNames(in: expression)
                #expect(!names.isEmpty, "\(file): \(expression) selects no metric")
                #expect(names.isSubset(of: PromQLNames.sluiceMetrics), "\(file): \(expression) uses \(names)")
            }
        }
    }

    @Test func metricNameExtractionSeesThroughPromQLSyntax() {
        let names = PromQLNames.metricNames(
            in: #"histogram_quantile(0.99, sum by (tenant, le) (rate(sluice_delivery_seconds_bucket{tenant=~"$tenant"}[5m]))) / on (x) up offset 5m"#
        )
        #expect(names == ["sluice_delivery_seconds", "up"])
    }

    /// Every `expr` of every panel target, rows' nested panels included.
    private static func expressions(in dashboard: [String: Any]) -> [String] {
        func walk(_ panels: [[String: Any]]) -> [String] {
            panels.flatMap { panel -> [String] in
                let targets = (panel["targets"] as? [[String: Any]]) ?? []
                return targets.compactMap { $0["expr"] as? String } + walk((panel["panels"] as? [[String: Any]]) ?? [])
            }
        }
        return walk((dashboard["panels"] as? [[String: Any]]) ?? [])
    }
}
