/// What the complete script did with one delivery of a batch.
public enum CompletionOutcome: Sendable, Equatable {
    /// Its resolution was written and its entry acknowledged.
    case settled
    /// Its entry was no longer pending (another worker settled it); nothing was written for it.
    case notPending
    /// Redis refused its writes (the error reply, e.g. a key of the wrong type): nothing of it was
    /// kept, and its entry stays pending, to be reclaimed after the visibility timeout.
    case refused(String)

    init(_ reply: RedisReply) throws(RedisError) {
        switch reply {
        case .integer(1): self = .settled
        case .integer(0): self = .notPending
        case .error(let message): self = .refused(message)
        default: throw RedisError(kind: .protocolViolation, message: "the complete script answered \(reply) for a delivery")
        }
    }
}
