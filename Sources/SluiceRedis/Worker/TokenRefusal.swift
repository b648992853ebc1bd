/// Why a rate-limited endpoint's delivery got no token (`WorkerStore.takeToken`).
public struct TokenRefusal: Sendable, Equatable {
    /// How long until a token is there; behind a line, one token's refill time.
    public var wait: Duration
    /// Refused only because the endpoint's waiting line holds deliveries that go first, while the
    /// bucket has a token for each of them: the endpoint is not short of tokens, its line is
    /// about to be let out.
    public var behindLine: Bool

    public init(wait: Duration, behindLine: Bool = false) {
        self.wait = wait
        self.behindLine = behindLine
    }
}
