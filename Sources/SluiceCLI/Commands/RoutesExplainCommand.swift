import ArgumentParser
import Foundation
import SluiceCore
import SluiceRuntime

/// `sluice routes explain FILE --source S [--channel C] --body FILE.json`: which routes match,
/// which endpoints would receive the event, and why the other routes did not match.
struct RoutesExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show which routes match an event and which endpoints would receive it, and why."
    )

    @Argument(help: "The routes file.")
    var file: String

    @Option(help: "The source the event arrives on (/webhooks/SOURCE).")
    var source: String

    @Option(help: "The channel path segment (/webhooks/SOURCE/CHANNEL), if any.")
    var channel: String?

    @Option(help: "A JSON file with the event body (its `type` field is the event type); - reads standard input.")
    var body: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let loaded: LoadedRoutes
        do {
            // Explaining needs no secrets: check structure only.
            loaded = try RoutesFileSource(path: file, allowMissingSecrets: true).load()
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
        let config = loaded.config
        guard config.sources[source] != nil else {
            throw ValidationError("--source: no source named '\(source)' in \(file) (known: \(config.sources.keys.sorted().joined(separator: ", ")))")
        }
        let bytes: [UInt8]
        if body == "-" {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        } else {
            // Read from the descriptor, so process substitution (`--body <(echo …)`) works too.
            bytes = [UInt8](try InputFile.read(body, flag: "--body"))
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw ValidationError("--body: \(error)")
        }
        guard case .object(let fields) = value else { throw ValidationError("--body: the body must be a JSON object (the edge answers 400 otherwise)") }
        let eventType: String = if case .string(let type)? = fields["type"] { type } else { "" }
        let result = RouteMatcher(config: config).match(source: source, channel: channel, eventType: eventType, body: value)
        json ? printJSON(result, eventType: eventType) : printText(result, eventType: eventType)
    }

    private func printText(_ result: RouteMatchResult, eventType: String) {
        print("event: source \(source)\(channel.map { ", channel \($0)" } ?? ""), type \(eventType.isEmpty ? "(none)" : eventType)")
        for explanation in result.explanations {
            let mark: String
            switch explanation.outcome {
            case .matched: mark = Terminal.paint("✔ matched", .good)
            case .notMatched: mark = Terminal.paint("✘ no match", .bad)
            case .skipped(let final): mark = Terminal.paint("– skipped (after final route '\(final)')", .warn)
            }
            print("\nroute \(explanation.route): \(mark)")
            for reason in explanation.reasons { print("    \(reason)") }
            if !explanation.addedTargets.isEmpty {
                print("    → \(explanation.addedTargets.map(\.description).joined(separator: ", "))")
            }
        }
        print("")
        if result.isNoRoute {
            print("receives it: nobody — the event would be dead-lettered with reason no_route")
        } else {
            print("receives it: \(result.targets.map(\.description).joined(separator: ", "))")
        }
    }

    private func printJSON(_ result: RouteMatchResult, eventType: String) {
        let routes: [[String: Any]] = result.explanations.map { explanation in
            var outcome = "matched"
            var object: [String: Any] = ["route": explanation.route, "reasons": explanation.reasons, "added_targets": explanation.addedTargets.map(\.description)]
            switch explanation.outcome {
            case .matched: outcome = "matched"
            case .notMatched: outcome = "not_matched"
            case .skipped(let final):
                outcome = "skipped"
                object["after_final_route"] = final
            }
            object["outcome"] = outcome
            return object
        }
        let object: [String: Any] = [
            "source": source, "channel": channel ?? NSNull(), "type": eventType,
            "targets": result.targets.map(\.description), "no_route": result.isNoRoute, "routes": routes,
        ]
        print(JSONOutput.pretty(object))
    }
}
