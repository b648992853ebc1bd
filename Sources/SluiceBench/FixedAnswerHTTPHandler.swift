import NIOCore
import NIOHTTP1

/// Behind NIO's decoder: answers each request once its end arrives.
final class FixedAnswerHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var buffer = context.channel.allocator.buffer(capacity: FixedAnswer.bytes.count)
        buffer.writeBytes(FixedAnswer.bytes)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
