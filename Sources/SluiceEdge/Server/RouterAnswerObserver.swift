import NIOCore
import NIOHTTP1

/// Sits between Hummingbird's codec and NIO's response encoder and tells the connection's
/// `EdgeConnectionHandler` when the router's answer to a forwarded request ends.
///
/// The connection handler writes its own answers as finished bytes, so it sits on the encoded
/// side of the encoder and cannot see the router's answer parts itself; it needs their end to
/// start the next pipelined request, or to close.
final class RouterAnswerObserver: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let connection: EdgeConnectionHandler

    init(_ connection: EdgeConnectionHandler) {
        self.connection = connection
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
        connection.routerAnswerEnds(data, promise: promise, writingThrough: context)
    }
}
