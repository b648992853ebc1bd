import NIOCore
import Synchronization

/// What the connection registry knows of one open connection, kept current by its handler on the
/// connection's event loop and read by the registry from any loop, hence atomics.
final class EdgeConnectionTicket: Sendable {
    /// Uptime nanoseconds when the connection's current request (or idle wait) began: the
    /// registry sheds the oldest first.
    let since: Atomic<UInt64>
    /// The connection waits for nothing but its own client (idle, or a request being read): shedding
    /// it loses no accepted work. False while its event is verified or written to Redis.
    let sheddable = Atomic<Bool>(true)
    /// Request body bytes it holds that count against the registry's budget.
    let buffered = Atomic<Int>(0)
    /// Closes the connection; callable from any thread.
    let shed: @Sendable () -> Void

    init(now: NIODeadline, shed: @escaping @Sendable () -> Void) {
        self.since = Atomic(now.uptimeNanoseconds)
        self.shed = shed
    }
}
