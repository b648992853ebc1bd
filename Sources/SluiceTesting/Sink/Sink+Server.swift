import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// The error thrown when a ``Sink`` cannot start.
public struct SinkError: Error, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// The message.
    public var description: String { message }
}

/// Starts a ``Sink`` on 127.0.0.1 (port chosen by the kernel), runs `body`, and stops the
/// sink afterwards, also when `body` throws. Requests still waiting on a delay are cut off.
public func withSink<T>(_ body: (Sink) async throws -> T) async throws -> T {
    let script = SinkScript()
    let connections = NIOLockedValueBox(0)
    var http1 = HTTP1Channel.Configuration()
    // Called once per accepted connection: the cheapest exact connection count.
    http1.additionalChannelHandlers = {
        connections.withLockedValue { $0 += 1 }
        return []
    }
    var logger = Logger(label: "sluice.test.sink")
    // Hummingbird reports the cancellation that stops the sink at error level: not news in a test.
    logger.logLevel = .critical
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        responder: CallbackResponder { (request: Request, context: SinkRequestContext) in
            try await answer(request, channel: context.channel, script: script)
        },
        server: .http1(configuration: http1),
        // Room for every connection a test opens at once (500 in CurlEngineTests): with
        // Hummingbird's 256, a sink whose event loop is busy with the rest of the suite lets its
        // accept queue fill, and the SYNs past it go unanswered until curl's connect timeout.
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), backlog: 1024),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: logger
    )
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
    let server = Task {
        defer { portContinuation.finish() }
        try await group.run()
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next(), port > 0 else {
        server.cancel()
        let failure = await server.result
        throw SinkError(message: "the HTTP sink did not start on 127.0.0.1: \(failure)")
    }
    let sink = Sink(port: port, script: script, connections: connections)
    do {
        let result = try await body(sink)
        await stop(server, group)
        return result
    } catch {
        await stop(server, group)
        throw error
    }
}

/// Stops the sink: first gracefully, which closes the listener and lets the accept loop hand out
/// every connection it had accepted (cancelling it with accepted connections still queued trips
/// NIOAsyncWriter's "deinited without calling finish()" assertion and crashes the test process),
/// then — after at most a second, for requests a script holds — by cancellation.
private func stop(_ server: Task<Void, any Error>, _ group: ServiceGroup) async {
    await group.triggerGracefulShutdown()
    await withTaskGroup(of: Void.self) { deadline in
        deadline.addTask { _ = await server.result }
        deadline.addTask {
            try? await Task.sleep(for: .seconds(1))
            if !Task.isCancelled { server.cancel() }
        }
        await deadline.next()
        deadline.cancelAll()
    }
    _ = await server.result
}

private func answer(_ request: Request, channel: any Channel, script: SinkScript) async throws -> Response {
    let buffer = try await request.body.collect(upTo: .max)
    let recorded = SinkRequest(
        method: request.method.rawValue,
        path: request.uri.path,
        query: request.uri.query,
        // HTTP/1 `Host` arrives as the `:authority` pseudo-header; give it back its name.
        headers: (request.head.authority.map { [(name: "host", value: $0)] } ?? [])
            + request.headers.map { (name: $0.name.rawName, value: $0.value) },
        body: Array(buffer.readableBytesView),
        receivedAt: .now
    )
    let handler = await script.arrive(recorded)
    let scripted = await handler(recorded)
    if let delay = scripted.delay {
        // Cancelled when the sink stops, so a "hanging" request ends with the test.
        try await Task.sleep(for: delay)
    }
    if scripted.resetsConnection {
        // SO_LINGER 0 turns the close into a RST, so the client sees "connection reset", not a clean EOF.
        if let socket = channel as? any SocketOptionProvider {
            try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
        throw SinkError(message: "connection reset as scripted")
    }
    var headers = HTTPFields()
    for (name, value) in scripted.headers {
        if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
    }
    return Response(
        status: .init(code: scripted.status),
        headers: headers,
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: scripted.body))
    )
}
