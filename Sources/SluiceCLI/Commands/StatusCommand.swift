import ArgumentParser
import Foundation
import SluiceRedis

/// `sluice status`: queue depths, pending work, retry backlog, dead letters and each endpoint's state.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Queue depths, pending, retry backlog, DLQ size, and per endpoint state (ok, circuit open, half-open, paused).",
        discussion: "Endpoints are those of the routes file (--config) plus any a worker reports. paused means the endpoint's shared rate_limit bucket is empty, so its deliveries are parked until a token is there."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object on one line; with --watch, one per refresh (JSON Lines).")
    var json = false

    @Option(help: "Refresh every N seconds until interrupted.")
    var watch: Double?

    func validate() throws {
        if let watch { _ = try SecondsOption.duration(watch, name: "--watch", allowZero: false) }
    }

    func run() async throws {
        let context = try OperatorContext(global: global)
        defer { context.close() }
        // On a terminal each refresh replaces the last; into a pipe or file they follow one another.
        let redraw = watch != nil && !json && isatty(STDOUT_FILENO) != 0
        while true {
            let report = try await context.run { try await StatusReport.read(stores: context.partitions(), routes: context.routes) }
            if json {
                Stdout.line(report.json)
            } else if let watch {
                if redraw { Stdout.write("\u{1B}[H\u{1B}[2J") }
                Stdout.line(Terminal.paint("sluice status at \(Timestamps.iso(report.atMillis)) — every \(Self.seconds(watch)) s, Ctrl-C to stop", .dim))
                Stdout.line(report.text(configPath: global.configPath) + (redraw ? "" : "\n"))
            } else {
                Stdout.line(report.text(configPath: global.configPath))
            }
            guard let watch else { return }
            try await Task.sleep(for: try SecondsOption.duration(watch, name: "--watch", allowZero: false))
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
