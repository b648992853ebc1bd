/// How big a run is: `--short` (the CI form) or full, and how many events each scenario sends.
public struct ChaosScale: Sendable {
    /// The CI form: seconds instead of tens of seconds per fault.
    public var short: Bool
    /// Events per scenario.
    public var events: Int

    /// - Parameter events: nil picks 150 for the short form and 1,500 for the full one.
    public init(short: Bool, events: Int? = nil) {
        self.short = short
        self.events = events ?? (short ? 150 : 1_500)
    }

    /// `full` in the full form, `short` in the short one.
    func pick(short: Duration, full: Duration) -> Duration { self.short ? short : full }
}
