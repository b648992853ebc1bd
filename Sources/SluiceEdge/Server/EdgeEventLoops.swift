import NIOPosix
import Synchronization

/// The edge's SwiftNIO event loop groups, one per thread count, kept for the life of the process
/// like NIO's own singleton group.
///
/// They are never shut down: work that Hummingbird and NIO schedule while the server stops
/// (closing channels, cancelled timers) must still find its loop, and shutting the group down
/// after `Application.run` returned made NIO report tasks scheduled on a loop already gone.
enum EdgeEventLoops {
    private static let groups = Mutex<[Int: MultiThreadedEventLoopGroup]>([:])

    /// The group with `threads` loop threads, created on first use.
    static func group(threads: Int) -> MultiThreadedEventLoopGroup {
        groups.withLock { groups in
            if let group = groups[threads] { return group }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
            groups[threads] = group
            return group
        }
    }
}
