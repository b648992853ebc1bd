import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// The edge's HTTP/1.1 connections: NIO's HTTP/1 codec, then `EdgeConnectionHandler`, which
/// answers webhook calls on the event loop, then Hummingbird's channel for everything else.
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
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // EdgeConnectionHandler orders answers itself.
                withErrorHandling: false,  // Hummingbird answers parse errors with 400.
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: limits
            )
            try pipeline.addHandler(EdgeConnectionHandler(connection))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}
