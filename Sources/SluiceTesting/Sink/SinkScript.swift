/// A ``Sink``'s behaviour and its record of traffic, shared between the server's
/// request handlers and the test.
///
/// For a request to path `P` the sink answers with, in order of preference: the next
/// queued response for `P`, the handler installed for `P`, then the fallback response.
actor SinkScript {
    typealias Handler = @Sendable (SinkRequest) async -> SinkResponse

    private var queues: [String: [SinkResponse]] = [:]
    private var handlers: [String: Handler] = [:]
    private var fallback = SinkResponse.ok
    private(set) var received: [SinkRequest] = []

    func enqueue(_ responses: [SinkResponse], for path: String) {
        queues[path, default: []].append(contentsOf: responses)
    }

    func setHandler(_ handler: @escaping Handler, for path: String) {
        handlers[path] = handler
    }

    func setFallback(_ response: SinkResponse) {
        fallback = response
    }

    /// Records `request` and decides how to answer it.
    func arrive(_ request: SinkRequest) -> Handler {
        received.append(request)
        if var queue = queues[request.path], !queue.isEmpty {
            let next = queue.removeFirst()
            queues[request.path] = queue
            return { _ in next }
        }
        if let handler = handlers[request.path] { return handler }
        let fallback = self.fallback
        return { _ in fallback }
    }
}
