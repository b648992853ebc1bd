/// The edge's `202` to an accepted event, byte for byte in size: the same headers and a body of
/// the same shape.
enum FixedAnswer {
    static let bytes: [UInt8] = {
        let body = #"{"id":"msg_wrk_000000000000_0"}"#
        let head = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Date: Sun, 06 Dec 2026 00:00:00 GMT\r\nServer: sluice\r\n\r\n"
        return Array((head + body).utf8)
    }()
}
