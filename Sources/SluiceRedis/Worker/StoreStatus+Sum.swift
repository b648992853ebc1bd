extension StoreStatus {
    /// Nothing anywhere.
    public static let empty = StoreStatus(
        ingressLength: 0, ingressPending: 0, deliveriesLength: 0, deliveriesPending: 0, retryBacklog: 0, deadLetters: 0)

    /// Two partitions' counts together.
    public static func + (lhs: StoreStatus, rhs: StoreStatus) -> StoreStatus {
        StoreStatus(
            ingressLength: lhs.ingressLength + rhs.ingressLength, ingressPending: lhs.ingressPending + rhs.ingressPending,
            deliveriesLength: lhs.deliveriesLength + rhs.deliveriesLength,
            deliveriesPending: lhs.deliveriesPending + rhs.deliveriesPending, retryBacklog: lhs.retryBacklog + rhs.retryBacklog,
            deadLetters: lhs.deadLetters + rhs.deadLetters, waiting: lhs.waiting + rhs.waiting)
    }

    /// Whether nothing is queued, pending, waiting or dead-lettered: a partition in this state
    /// holds nothing a worker still has to read.
    public var isEmpty: Bool { self == .empty }
}
