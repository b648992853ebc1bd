/// Holds sink handlers (`arrive()`) until `opensAt` requests are waiting at once, or until
/// `open()`; records the most that were ever waiting together. Once open, handlers pass at once.
public actor SinkGate {
    private let opensAt: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var isOpen = false
    public private(set) var peak = 0

    /// `opensAt`: how many waiting requests open it by themselves (none, by default).
    public init(opensAt: Int = .max) {
        self.opensAt = opensAt
    }

    public func arrive() async {
        guard !isOpen else { return }
        await withCheckedContinuation { continuation in
            waiting.append(continuation)
            peak = max(peak, waiting.count)
            if waiting.count >= opensAt { open() }
        }
    }

    public func open() {
        isOpen = true
        let released = waiting
        waiting.removeAll()
        for continuation in released { continuation.resume() }
    }
}
