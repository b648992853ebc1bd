import Foundation

/// HTTP/1.1 over a plain socket, byte for byte, for requests no well-behaved client would send
/// (broken framing, invalid bytes in headers, bodies that trickle in).
///
/// Each exchange runs on a thread of its own: the sockets block, and blocking calls must not
/// occupy Swift's cooperative pool, which the edge under test may share with the test runner.
enum RawHTTP {
    /// What came back for one request.
    enum Outcome: Equatable, CustomStringConvertible {
        /// The status code of the response's status line.
        case status(Int)
        /// The server closed the connection without a parsable status line.
        case closed
        /// Nothing (or no complete status line) arrived before the deadline.
        case timedOut

        var description: String {
            switch self {
            case .status(let code): "\(code)"
            case .closed: "closed without an answer"
            case .timedOut: "no answer in time"
            }
        }
    }

    /// Sends `request` to 127.0.0.1:`port` and reads until the status line arrives, the server
    /// closes, or `timeout` passes.
    static func exchange(port: Int, request: [UInt8], timeout: Duration = .seconds(10)) async -> Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: blockingExchange(port: port, request: request, timeout: timeout))
            }
            thread.start()
        }
    }

    /// A connected socket with send and receive timeouts, or nil.
    static func connect(port: Int, timeout: Duration) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var interval = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Writes and reads at the same time, as real clients do: a server may answer (413, 400)
    /// before the whole request is written and stop reading the rest.
    private static func blockingExchange(port: Int, request: [UInt8], timeout: Duration) -> Outcome {
        guard let fd = connect(port: port, timeout: timeout) else { return .closed }
        defer { close(fd) }
        let deadline = ContinuousClock.now + timeout
        var sent = 0
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN) | (sent < request.count ? Int16(POLLOUT) : 0), revents: 0)
            guard poll(&descriptor, 1, 100) >= 0 else { return .closed }
            if descriptor.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 {
                    received.append(contentsOf: chunk[0..<n])
                    if let status = statusCode(in: received) { return .status(status) }
                } else if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                    return statusCode(in: received).map(Outcome.status) ?? .closed
                }
            }
            if descriptor.revents & Int16(POLLOUT) != 0 {
                let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if n > 0 { sent += n }
                // A failed write is not the outcome; whatever the server answered is.
                else if errno != EAGAIN && errno != EWOULDBLOCK { sent = request.count }
            }
        }
        return .timedOut
    }

    /// The code in `HTTP/1.1 NNN …` once the whole status line has arrived.
    private static func statusCode(in bytes: [UInt8]) -> Int? {
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = String(decoding: bytes[..<end], as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }
}
