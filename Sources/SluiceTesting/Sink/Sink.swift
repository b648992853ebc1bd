import Hummingbird
import NIOConcurrencyHelpers

/// A real HTTP/1.1 server on 127.0.0.1 with scripted answers, for delivery tests.
///
/// Start one with ``withSink(_:)``. Script it per path with ``enqueue(_:for:)`` (a queue
/// of one-shot responses) or ``respond(to:with:)`` (a handler); anything unscripted gets
/// ``SinkResponse/ok``. Every request is recorded on arrival, in order, and can be read
/// with ``requests`` or awaited with ``waitForRequests(count:path:timeout:)``.
///
/// ```swift
/// try await withSink { sink in
///     await sink.enqueue(.status(503, headers: [("retry-after", "2")]), .ok, for: "/hook")
///     // … deliver to sink.url("/hook") …
///     let received = try await sink.waitForRequests(count: 2, path: "/hook")
/// }
/// ```
public final class Sink: Sendable {
    /// The bound port on 127.0.0.1.
    public let port: Int
    let script: SinkScript
    let connections: NIOLockedValueBox<Int>

    init(port: Int, script: SinkScript, connections: NIOLockedValueBox<Int>) {
        self.port = port
        self.script = script
        self.connections = connections
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The URL of `path` on this sink, e.g. `sink.url("/hook")`.
    public func url(_ path: String = "/") -> String { baseURL + path }

    /// Queues one-shot responses for `path`, answered in order before any handler or fallback.
    public func enqueue(_ responses: SinkResponse..., for path: String) async {
        await script.enqueue(responses, for: path)
    }

    /// Queues one-shot responses for `path` (array form).
    public func enqueue(_ responses: [SinkResponse], for path: String) async {
        await script.enqueue(responses, for: path)
    }

    /// Answers every request to `path` (once its queue is empty) with `handler`.
    public func respond(to path: String, with handler: @escaping @Sendable (SinkRequest) async -> SinkResponse) async {
        await script.setHandler(handler, for: path)
    }

    /// Answers every request to `path` (once its queue is empty) with `response`.
    public func respond(to path: String, with response: SinkResponse) async {
        await script.setHandler({ _ in response }, for: path)
    }

    /// Replaces the answer for paths with no queue or handler (default ``SinkResponse/ok``).
    public func setFallback(_ response: SinkResponse) async {
        await script.setFallback(response)
    }

    /// Every request received so far, in arrival order.
    public var requests: [SinkRequest] {
        get async { await script.received }
    }

    /// Requests received so far for `path`.
    public func requests(to path: String) async -> [SinkRequest] {
        await script.received.filter { $0.path == path }
    }

    /// Waits until at least `count` requests (to `path`, when given) have arrived and returns them all.
    /// - Throws: ``PollTimeout`` after `timeout`.
    public func waitForRequests(count: Int, path: String? = nil, timeout: Duration = .seconds(30)) async throws -> [SinkRequest] {
        var seen: [SinkRequest] = []
        try await poll(until: {
            let all = await self.script.received
            seen = path.map { path in all.filter { $0.path == path } } ?? all
            return seen.count >= count
        }, timeout: timeout, interval: .milliseconds(5), "\(count) request(s) at the sink\(path.map { " for \($0)" } ?? "")")
        return seen
    }

    /// TCP connections accepted so far (fewer than requests means keep-alive reuse).
    public var connectionCount: Int { connections.withLockedValue { $0 } }
}
