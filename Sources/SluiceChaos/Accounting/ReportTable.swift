import Foundation

/// Renders reports as the table `sluice-chaos run` prints, or as Markdown for the README.
public enum ReportTable {
    static let header = ["scenario", "sent", "accepted", "deliveries due", "delivered", "dead-lettered", "duplicates (ratio)", "lost", "p99 delay", "result"]

    /// One row per report, columns aligned.
    public static func text(_ reports: [ScenarioReport]) -> String {
        let rows = [header] + reports.map(row)
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// A GitHub Markdown table.
    public static func markdown(_ reports: [ScenarioReport]) -> String {
        let lines = [header, header.map { _ in "---" }] + reports.map(row)
        return lines.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
    }

    /// The notes and failures of each report, indented under its name.
    public static func details(_ reports: [ScenarioReport]) -> String {
        reports.map { report in
            var lines = ["\(report.scenario) (\(seconds(report.duration))):"]
            lines += report.notes.map { "  - \($0)" }
            if report.fanOut > 2 { lines += report.perEndpoint.map { "  - \($0)" } }
            if report.unanswered > 0 { lines.append("  - \(report.unanswered) attempts got no answer (edge gone), retried by the sender") }
            if report.refusals > 0 { lines.append("  - \(report.refusals) answers 503 from the edges, retried by the sender") }
            if report.rejected > 0 { lines.append("  - \(report.rejected) events refused 401 (timestamp outside tolerance)") }
            if report.unacknowledged > 0 { lines.append("  - \(report.unacknowledged) events never acknowledged before the sender gave up (not a loss: the sender was never told 'accepted')") }
            lines += report.failures.map { "  FAILED: \($0)" }
            lines += report.samples.map { "    e.g. \($0)" }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    private static func row(_ report: ScenarioReport) -> [String] {
        [
            report.scenario, "\(report.sent)", "\(report.accepted)", "\(report.expected) (×\(report.fanOut))", "\(report.delivered)",
            "\(report.deadLettered)", "\(report.duplicates) (\(percent(report.duplicateRatio)))", "\(report.lost)",
            report.p99Delay.map(seconds) ?? "–", report.passed ? "pass" : "FAIL",
        ]
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value < 10 ? String(format: "%.2f s", value) : String(format: "%.1f s", value)
    }

    private static func percent(_ ratio: Double) -> String { String(format: "%.1f%%", ratio * 100) }
}
