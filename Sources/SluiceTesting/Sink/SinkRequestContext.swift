import Hummingbird
import NIOCore

/// The request context of a ``Sink``: Hummingbird's basic context plus the connection, so a
/// scripted ``SinkResponse/reset`` can abort it.
struct SinkRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
