/// Why a chaos run could not be carried out (as opposed to a scenario that ran and lost events,
/// which is a `ScenarioReport` with `lost > 0`).
public struct ChaosError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and what to do about it.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }

    static func sluiceMissing(_ path: String) -> ChaosError {
        ChaosError("no sluice executable at \(path); build it first (swift build -c release, or swift build for debug) or pass --sluice PATH")
    }

    static func unknownScenario(_ name: String, known: [String]) -> ChaosError {
        ChaosError("no scenario named '\(name)'; `sluice-chaos list` shows them: \(known.joined(separator: ", "))")
    }

    static func processNotReady(_ what: String, status: Int32?, log: String) -> ChaosError {
        let exit = status.map { "exited with status \($0)" } ?? "did not become ready within 60 s"
        return ChaosError("\(what) \(exit); its log (\(log)) ends with:\n\(ChaosLog.tail(of: log))")
    }
}
