import ArgumentParser
import Foundation

@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Webhook fan-out gateway for the Gemini API.",
        discussion: "Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.",
        version: "\(SluiceVersion.current) malloc=\(Allocator.name)",
        subcommands: [EdgeCommand.self, WorkerCommand.self, DevCommand.self, RoutesCommand.self, DLQCommand.self, EventsCommand.self, StatusCommand.self, PartitionsCommand.self, ReplayCommand.self, ConsoleCommand.self, SendTestCommand.self, KeygenCommand.self, DoctorCommand.self]
    )

    /// ArgumentParser exits 64 on usage errors; Sluice's contract is 2 for usage and
    /// configuration errors and 1 for runtime failures.
    static func main() async {
        var ranCommand: (any ParsableCommand.Type)?
        // `sluice help NAME…` for a command that does not exist would print the root help and
        // exit 0; a script asking about a misspelt command must fail like the command itself.
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "help", let unknown = unknownCommand(in: arguments.dropFirst().filter { !$0.hasPrefix("-") }) {
            FileHandle.standardError.write(Data("Error: no command '\(unknown)'; `sluice --help` lists them\n".utf8))
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            // A group (`sluice`, `sluice routes`, `sluice dlq`, …) without one of its commands is a
            // usage error, not a request for help: a script that lost its subcommand must fail.
            let parsed = type(of: command)
            if !parsed.configuration.subcommands.isEmpty {
                FileHandle.standardError.write(Data(("Error: missing command\n\n" + helpMessage(for: parsed) + "\n").utf8))
                Foundation.exit(2)
            }
            ranCommand = parsed
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)
            }
            if let exitCode = error as? ExitCode {
                Foundation.exit(exitCode.rawValue)
            }
            // A usage error found once the command runs (a file it cannot read, a value it
            // refuses): the message and where to look, not the root command's usage line.
            if let ranCommand, let validation = error as? ValidationError {
                let path = (["sluice"] + commandPath(to: ranCommand)).joined(separator: " ")
                FileHandle.standardError.write(Data("Error: \(validation.message)\nSee '\(path) --help'.\n".utf8))
                Foundation.exit(2)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}

extension Sluice {
    /// The first of `names` (a path of subcommands from `sluice`) that names no subcommand.
    static func unknownCommand(in names: [String]) -> String? {
        var node: any ParsableCommand.Type = Sluice.self
        for name in names {
            guard let child = node.configuration.subcommands.first(where: { ($0.configuration.commandName ?? String(describing: $0).lowercased()) == name })
            else { return name }
            node = child
        }
        return nil
    }

    /// The subcommand names leading from `sluice` to `command` (`["routes", "explain"]`).
    static func commandPath(to command: any ParsableCommand.Type) -> [String] {
        func search(_ node: any ParsableCommand.Type, _ path: [String]) -> [String]? {
            if node == command { return path }
            for child in node.configuration.subcommands {
                let name = child.configuration.commandName ?? String(describing: child).lowercased()
                if let found = search(child, path + [name]) { return found }
            }
            return nil
        }
        return search(Sluice.self, []) ?? []
    }
}

enum SluiceVersion {
    static let current = "0.1.0"
}
