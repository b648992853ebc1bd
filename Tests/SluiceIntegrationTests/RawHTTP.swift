import Foundation
import SluiceTesting

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

    /// Writes and reads at the same time, as real clients do: a server may answer (413, 400)
    /// before the whole request is written and stop reading the rest.
    private static func blockingExchange(port: Int, request: [UInt8], timeout: Duration) -> Outcome {
        guard let fd = LoopbackSocket.connect(port: port, timeout: timeout) else { return .closed }
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
