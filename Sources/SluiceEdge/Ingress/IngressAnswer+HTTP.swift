import NIOCore

extension IngressAnswer {
    /// Writes the whole HTTP/1.1 answer, head and body, into `buffer`: one buffer and one write
    /// per answer, instead of a head, its headers and a body each built and encoded on their own.
    func render(into buffer: inout ByteBuffer, date: String, server: String, close: Bool, omitsBody: Bool) {
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\nContent-Type: application/json\r\n")
        if let retryAfter {
            buffer.writeStaticString("Retry-After: ")
            buffer.writeString(String(retryAfter))
            buffer.writeStaticString("\r\n")
        }
        if status == .methodNotAllowed { buffer.writeStaticString("Allow: POST\r\n") }
        buffer.writeStaticString("Content-Length: ")
        buffer.writeString(String(body.count))
        buffer.writeStaticString("\r\nDate: ")
        buffer.writeString(date)
        buffer.writeStaticString("\r\nServer: ")
        buffer.writeString(server)
        buffer.writeStaticString(close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n")
        // A HEAD request's answer announces the body's length but does not carry it.
        if !omitsBody { buffer.writeBytes(body) }
    }
}
