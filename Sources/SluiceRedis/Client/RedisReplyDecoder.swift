internal import CHiredis
import NIOCore

/// Parses the bytes Redis sends into `RedisReply` values with hiredis's own reader
/// (`redisReaderFeed` / `redisReaderGetReply`), so the edge's replies are parsed by the same code
/// as every other Sluice connection's; only the socket I/O is SwiftNIO's.
///
/// A reply split over several reads stays in the reader until it is complete; several replies in
/// one read are passed on one by one, in order.
final class RedisReplyDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = RedisReply

    private let url: RedisURL
    private var reader: UnsafeMutablePointer<redisReader>?

    init(url: RedisURL) {
        self.url = url
    }

    deinit {
        if let reader { redisReaderFree(reader) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if reader == nil { reader = redisReaderCreate() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let reader { redisReaderFree(reader) }
        reader = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let reader else { return }
        let buffer = unwrapInboundIn(data)
        let fed = buffer.withUnsafeReadableBytes { bytes in
            redisReaderFeed(reader, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard fed == REDIS_OK else { return invalidReply(context: context, reader: reader) }
        // A reply's consumer may close the channel; the reader stays valid until the handler is
        // removed, which NIO does on a later tick, so the loop only stops when no reply is left.
        while self.reader == reader {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &raw) == REDIS_OK else { return invalidReply(context: context, reader: reader) }
            guard let raw else { return }
            let reply = RedisConnection.convert(UnsafePointer(raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
            context.fireChannelRead(wrapInboundOut(reply))
        }
    }

    /// hiredis could not parse the stream: nothing after this point can be matched to a command.
    private func invalidReply(context: ChannelHandlerContext, reader: UnsafeMutablePointer<redisReader>) {
        let reason = withUnsafeBytes(of: reader.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "unknown error" : String(decoding: bytes, as: UTF8.self)
        }
        context.fireErrorCaught(
            RedisError(kind: .protocolViolation, message: "Redis at \(url) sent an invalid reply: \(reason); reconnecting"))
    }
}
