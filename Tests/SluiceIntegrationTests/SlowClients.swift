import Foundation
import SluiceTesting
import Synchronization

/// Slowloris-style clients: connections that send their request a byte at a time, every 100 ms,
/// and never finish. Half trickle their headers; half send complete headers announcing a
/// 64 KiB body and then trickle the body.
///
/// One thread drives every socket (the pace is the point of the test, so it sleeps between rounds).
final class SlowClients: Sendable {
    let port: Int
    let count: Int
    private let opened = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    init(port: Int, count: Int) {
        self.port = port
        self.count = count
    }

    /// How many connections are open so far.
    var connected: Int { opened.load(ordering: .acquiring) }

    func start() {
        let thread = Thread { [self] in run() }
        thread.start()
    }

    /// Stops trickling and closes every connection.
    func stop() {
        stopping.store(true, ordering: .releasing)
    }

    private func run() {
        var sockets: [(fd: Int32, request: [UInt8], sent: Int, filler: UInt8)] = []
        for index in 0..<count where !stopping.load(ordering: .acquiring) {
            guard let fd = LoopbackSocket.connect(port: port, timeout: .seconds(2)) else { continue }
            let head = "POST /webhooks/gemini HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
            let request = index.isMultiple(of: 2)
                ? Array((head + "webhook-id: msg_slow_\(index)\r\nwebhook-timestamp: 1\r\n").utf8)
                : Array((head + "webhook-id: msg_slow_\(index)\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,x\r\ncontent-length: 65536\r\n\r\n{").utf8)
            // Body tricklers send their headers at once; header tricklers start from nothing.
            let initial = index.isMultiple(of: 2) ? 0 : request.count
            if initial > 0 { _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            // After the request so far, header tricklers grow an endless header name, body tricklers send JSON blanks.
            sockets.append((fd, request, initial, index.isMultiple(of: 2) ? UInt8(ascii: "x") : UInt8(ascii: " ")))
            opened.add(1, ordering: .releasing)
        }
        while !stopping.load(ordering: .acquiring) {
            for index in sockets.indices {
                var byte: UInt8 = sockets[index].sent < sockets[index].request.count ? sockets[index].request[sockets[index].sent] : sockets[index].filler
                _ = send(sockets[index].fd, &byte, 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                sockets[index].sent += 1
            }
            usleep(100_000)
        }
        for socket in sockets { close(socket.fd) }
    }
}

/// Senders that announce a body, send part of it at once and then nothing more: what the edge
/// buffers for them is what the buffer budget must bound.
final class StalledBodies {
    private var sockets: [Int32] = []

    init(port: Int, count: Int, declared: Int, sent: Int) {
        let filler = [UInt8](repeating: UInt8(ascii: " "), count: sent - 1)
        for index in 0..<count {
            guard let fd = LoopbackSocket.connect(port: port, timeout: .seconds(2)) else { continue }
            let head = "POST /webhooks/gemini HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                + "webhook-id: msg_stalled_\(index)\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,x\r\ncontent-length: \(declared)\r\n\r\n{"
            let bytes = Array(head.utf8) + filler
            // Blocking sends: the edge reads them as fast as it buffers them, or closes.
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            sockets.append(fd)
        }
    }

    func close() {
        for fd in sockets { Glibc.close(fd) }
        sockets = []
    }
}
