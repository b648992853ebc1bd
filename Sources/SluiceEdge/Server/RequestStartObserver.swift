import NIOCore

/// Sits before the HTTP decoder and tells the connection handler that bytes arrived, so a
/// request's timeout starts with its first byte and the head's bytes count against the buffer
/// budget: a head trickled in a byte at a time never reaches the handler as a parsed part until
/// it is complete.
final class RequestStartObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let connection: EdgeConnectionHandler

    init(_ connection: EdgeConnectionHandler) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard connection.bytesArrived(unwrapInboundIn(data).readableBytes) else { return context.close(promise: nil) }
        context.fireChannelRead(data)
    }
}
