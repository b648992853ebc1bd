/// What the edge lets its clients hold: sockets, time and memory.
///
/// A sender that connects and then trickles its request a byte at a time (or never finishes it)
/// costs the edge a descriptor and whatever body it buffered, for as long as it likes unless
/// something takes them back. These are the limits that do, so a few thousand such clients cannot
/// starve Gemini's real calls of descriptors or memory.
public struct EdgeConnectionLimits: Sendable, Equatable {
    /// Open connections at most. At the limit, a new connection sheds the open ones whose current
    /// request (or idle wait) began longest ago and that wait for nothing but their own client;
    /// only when none can be shed is the new connection closed.
    public var maxConnections: Int
    /// From a request's first byte to its last: a request not read by then is answered 408 and
    /// its connection closed, however steadily its bytes trickle in.
    public var requestTimeout: Duration
    /// Request body bytes buffered across all connections. A chunk that would go past it first
    /// sheds the connections whose unfinished bodies began longest ago; when that is not enough,
    /// its own request is answered 503 with `Retry-After`.
    public var maxBufferedBytes: Int

    public init(maxConnections: Int = 10_000, requestTimeout: Duration = .seconds(10), maxBufferedBytes: Int = 64 << 20) {
        self.maxConnections = maxConnections
        self.requestTimeout = requestTimeout
        self.maxBufferedBytes = maxBufferedBytes
    }
}
