import Foundation
import Synchronization

public enum FreePort {
    /// Every port this process has handed out. A server given a port may stop and start again
    /// on it later (a test kills Redis and restarts it on its port); in between the port is free
    /// to `bind`, so without this record another server in the same process could be given it.
    private static let handedOut = Mutex<Set<Int>>([])

    /// A loopback TCP port that is free right now, for a server a test or `sluice dev` is about to start.
    ///
    /// Ports are drawn at random from below the kernel's ephemeral range: a port the kernel hands
    /// out for `bind(0)` comes from the same range as the local ports of outgoing connections, so
    /// under a busy test run a client socket could take it before the server binds it. Another
    /// process could still take the port first; callers that start servers retry with a new port.
    /// A port is handed out at most once per process, so a server that is down for a moment
    /// keeps its port against the servers started around it.
    public static func pick() -> Int? {
        let ephemeral = ephemeralRange()
        let candidates = ephemeral.lowerBound > 20_000 ? 15_000..<ephemeral.lowerBound : 0..<0
        if !candidates.isEmpty {
            for _ in 0..<64 {
                let port = Int.random(in: candidates)
                if claim(port), bindLoopback(port: port) == port { return port }
            }
        }
        for _ in 0..<64 {
            guard let port = bindLoopback(port: 0) else { return nil }
            if claim(port) { return port }
        }
        return nil
    }

    /// Records `port` as handed out; false if it was already.
    private static func claim(_ port: Int) -> Bool {
        handedOut.withLock { $0.insert(port).inserted }
    }

    /// The kernel's range for local ports of outgoing connections (Linux's default when unreadable).
    private static func ephemeralRange() -> ClosedRange<Int> {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else {
            return 32_768...60_999
        }
        let bounds = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { return 32_768...60_999 }
        return bounds[0]...bounds[1]
    }

    /// Binds a TCP socket to 127.0.0.1:`port` and closes it again; returns the port bound, or nil.
    private static func bindLoopback(port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
