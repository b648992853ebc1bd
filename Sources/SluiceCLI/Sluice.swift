import ArgumentParser

@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Webhook fan-out gateway for the Gemini API.",
        version: "0.1.0"
    )
}
