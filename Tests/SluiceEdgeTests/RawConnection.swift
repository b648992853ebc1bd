import Foundation
import SluiceTesting

/// One HTTP/1.1 connection over a plain socket, for what a normal client hides: several requests
/// written at once (pipelining), exact header bytes, and whether the server closed the connection.
///
/// It runs on a thread of its own: the socket blocks, and blocking calls must not occupy Swift's
/// cooperative pool, which the edge under test shares with the test runner.
enum RawConnection {
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    struct Exchange {
        var responses: [Response]
        /// The server closed its side after the last response, within the wait given.
        var closedByServer: Bool
    }

    /// Writes `request` (any number of requests back to back), reads `count` responses, then
    /// waits up to `closeWait` for the server to close. `headResponses` are the indexes of
    /// responses to HEAD requests, which have no body whatever their headers say. `halfClose`
    /// shuts the socket's sending side once the request is written, as HTTP/1.0 clients do.
    static func exchange(
        port: Int, request: [UInt8], count: Int, headResponses: Set<Int> = [],
        closeWait: Duration = .zero, timeout: Duration = .seconds(10), halfClose: Bool = false,
        then later: (bytes: [UInt8], after: Duration)? = nil
    ) async -> Exchange {
        await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(
                    returning: blocking(
                        port: port, request: request, count: count, headResponses: headResponses, closeWait: closeWait, timeout: timeout,
                        halfClose: halfClose, later: later))
            }.start()
        }
    }

    private static func blocking(
        port: Int, request: [UInt8], count: Int, headResponses: Set<Int>, closeWait: Duration, timeout: Duration, halfClose: Bool,
        later: (bytes: [UInt8], after: Duration)?
    ) -> Exchange {
        // The receive timeout only bounds a single recv; the loop below polls against `timeout`.
        guard let fd = LoopbackSocket.connect(port: port, timeout: timeout) else { return Exchange(responses: [], closedByServer: true) }
        defer { close(fd) }
        func sendAll(_ bytes: [UInt8]) {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { break }
                sent += n
            }
        }
        sendAll(request)
        if let later {
            // A segment of its own, some time after the first: what the scenario is, not a wait
            // for something to happen.
            let (seconds, attoseconds) = later.after.components
            usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
            sendAll(later.bytes)
        }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }

        var buffer: [UInt8] = []
        var responses: [Response] = []
        var closed = false
        var deadline = ContinuousClock.now + timeout
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !closed {
            while responses.count < count, let (response, used) = parse(buffer, isHead: headResponses.contains(responses.count)) {
                responses.append(response)
                buffer.removeFirst(used)
            }
            if responses.count == count {
                if closeWait == .zero { break }
                deadline = min(deadline, ContinuousClock.now + closeWait)
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let millis = Int32(min(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000, 1000))
            guard poll(&descriptor, 1, max(millis, 1)) >= 0 else { break }
            guard descriptor.revents != 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
            } else {
                closed = true
            }
        }
        return Exchange(responses: responses, closedByServer: closed)
    }

    /// One complete response at the start of `bytes` and how many bytes it took, or nil.
    private static func parse(_ bytes: [UInt8], isHead: Bool) -> (Response, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            return nil
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = Response(status: status, headers: headers, body: [])
        let bodyStart = end + 4
        if isHead { return (response, bodyStart) }
        let length = Int(response.header("content-length") ?? "0") ?? 0
        guard bytes.count >= bodyStart + length else { return nil }
        response.body = Array(bytes[bodyStart..<bodyStart + length])
        return (response, bodyStart + length)
    }
}
