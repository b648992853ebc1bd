import Hummingbird
import NIOCore

/// Each console request's context: Hummingbird's core, plus the client address the audit log names.
struct ConsoleRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address, for the audit log.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
