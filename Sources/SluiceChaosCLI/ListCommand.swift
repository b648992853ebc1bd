import ArgumentParser
import SluiceChaos

/// `sluice-chaos list`: the scenarios and what each does.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the scenarios.")

    func run() {
        let width = Scenario.all.map(\.name.count).max() ?? 0
        for scenario in Scenario.all {
            print(scenario.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + scenario.summary)
        }
    }
}
