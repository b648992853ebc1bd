import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// The edge's HTTP/1.1 connections: NIO's request decoder, then `EdgeConnectionHandler`, which
/// answers webhook calls on the event loop, then NIO's response encoder and Hummingbird's channel
/// for everything else.
///
/// This replaces Hummingbird's `HTTP1Channel` pipeline only in front of the router: its
/// connection-state handler's jobs (idle timeout, closing on shutdown, one answer at a time)
/// move into `EdgeConnectionHandler`, which is the only handler that sees both paths' requests.
struct EdgeHTTPChannel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let connection: EdgeConnectionHandler.Dependencies

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = 80 * 1024
            limits.maxHeaderListSize = 80 * 1024
            limits.maxHeaderFieldCount = 1000
            let pipeline = channel.pipeline.syncOperations
            // Not `configureHTTPServerPipeline`: the encoder goes after the connection handler, which
            // writes its own answers as finished bytes and sees the router's through the observer.
            // Errors are not handled here: Hummingbird answers parse errors with 400.
            let connection = EdgeConnectionHandler(connection)
            try pipeline.addHandler(RequestStartObserver(connection))
            try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, limitConfiguration: limits)))
            try pipeline.addHandler(connection)
            try pipeline.addHandler(HTTPResponseEncoder(configuration: .init()))
            try pipeline.addHandler(RouterAnswerObserver(connection))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}
