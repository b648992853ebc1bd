#if canImport(Glibc)
import Glibc
#endif

/// One blocking keep-alive HTTP/1.1 connection, driven by its own OS thread.
///
/// The generator deliberately avoids any framework so that its own overhead is
/// small and easy to reason about next to the server it measures.
final class LoadConnection {
    enum Failure: Error, CustomStringConvertible {
        case connect(String)
        case io(String)
        case protocolError(String)

        var description: String {
            switch self {
            case .connect(let m): "connect: \(m)"
            case .io(let m): "io: \(m)"
            case .protocolError(let m): "protocol: \(m)"
            }
        }
    }

    private let host: String
    private let port: UInt16
    private var fd: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var pending: [UInt8] = []

    init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func connect() throws {
        if fd >= 0 { close(fd) }
        pending.removeAll(keepingCapacity: true)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.connect("socket() failed: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            throw Failure.connect("\(host) is not an IPv4 address")
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw Failure.connect("\(host):\(port): errno \(errno)") }
    }

    /// Sends one request and reads one response; returns the status code.
    func roundTrip(_ request: [UInt8]) throws -> Int {
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure.io("send: errno \(errno)") }
            sent += n
        }
        return try readResponse()
    }

    private func fill() throws {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure.io(n == 0 ? "connection closed by server" : "recv: errno \(errno)") }
        pending.append(contentsOf: buffer[0..<n])
    }

    private func readResponse() throws -> Int {
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = Self.findHeaderEnd(pending)
            if headerEnd == nil { try fill() }
        }
        let head = String(decoding: pending[0..<headerEnd!], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.count >= 12,
            let status = Int(statusLine.dropFirst(9).prefix(3))
        else { throw Failure.protocolError("bad status line") }
        var contentLength = 0
        for line in lines.dropFirst() {
            let lower = line.lowercased()
            if lower.hasPrefix("content-length:") {
                contentLength = Int(lower.dropFirst(15).trimmingCharacters(in: " ")) ?? 0
            } else if lower.hasPrefix("transfer-encoding:") && lower.contains("chunked") {
                throw Failure.protocolError("chunked responses are not supported by the load generator")
            }
        }
        let total = headerEnd! + 4 + contentLength
        while pending.count < total { try fill() }
        pending.removeFirst(total)
        return status
    }

    private static func findHeaderEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4)
        where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return s
    }
}
