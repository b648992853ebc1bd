import ArgumentParser
import Foundation
import SluiceChaos

/// `sluice-chaos run [SCENARIO…]`: runs scenarios one after another and prints the accounting.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenarios (all when none is named); exit 1 if any loses an event or misses an expectation.")

    @Argument(help: "Scenarios to run (see `sluice-chaos list`); all by default.")
    var scenarios: [String] = []

    @Option(help: "Events each scenario sends (default 150 with --short, 1500 otherwise).")
    var events: Int?

    @Flag(help: "The CI form: faults last seconds instead of tens of seconds.")
    var short = false

    @Flag(help: "Also print the summary as a Markdown table (for the README).")
    var markdown = false

    @Option(help: "The sluice executable (default: the one built next to sluice-chaos).")
    var sluice: String?

    @Option(help: "Where to keep logs and Redis data (default: a new temporary directory; kept for failed scenarios).")
    var workDirectory: String?

    func run() async throws {
        let selected = try scenarios.isEmpty ? Scenario.all : scenarios.map { name throws(ChaosError) in try Scenario.named(name) }
        let directory = workDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("sluice-chaos-\(UUID().uuidString.prefix(8))").path
        let runner = try ScenarioRunner(
            sluice: sluice ?? SluiceExecutable.besideCurrentExecutable, scale: ChaosScale(short: short, events: events),
            workDirectory: directory, progress: { line in
                FileHandle.standardError.write(Data("· \(line)\n".utf8))
            })
        var reports: [ScenarioReport] = []
        for scenario in selected {
            let report = try await runner.run(scenario)
            FileHandle.standardError.write(Data("· \(scenario.name): \(report.passed ? "pass" : "FAIL"), lost \(report.lost)\n".utf8))
            reports.append(report)
        }
        print(ReportTable.text(reports))
        print()
        print(ReportTable.details(reports))
        if markdown {
            print()
            print(ReportTable.markdown(reports))
        }
        if reports.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
