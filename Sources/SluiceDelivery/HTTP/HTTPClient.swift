/// Outbound HTTP over libcurl's multi interface: one dedicated thread, shared
/// keep-alive connections, HTTP/2 over TLS when offered, redirects never followed,
/// TLS verification always on.
///
/// Requests run concurrently: a slow or hanging endpoint holds only its own transfer.
public final class HTTPClient: Sendable {
    private let engine: CurlEngine

    /// Starts the engine thread.
    /// - Throws: ``HTTPClientError`` of kind `.other` if libcurl cannot be initialised.
    public init(configuration: Configuration = Configuration()) throws(HTTPClientError) {
        guard let engine = CurlEngine(configuration: configuration) else {
            throw HTTPClientError(kind: .other, message: "libcurl could not be initialised")
        }
        self.engine = engine
    }

    deinit {
        engine.shutdown()
    }

    /// Sends `request` and waits for the whole response (or the first `maxResponseBytes` of its body).
    ///
    /// Any status code is a response, 3xx included. Transport failures throw with a ``HTTPClientError/Kind``;
    /// cancelling the calling task abandons the transfer and throws `.cancelled`.
    public func execute(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        guard !Task.isCancelled else {
            throw HTTPClientError(kind: .cancelled, message: "the request was cancelled before it was sent")
        }
        let transfer = CurlTransfer(request: request)
        let engine = self.engine
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>) in
                transfer.completion = { continuation.resume(returning: $0) }
                engine.submit(transfer)
            }
        } onCancel: {
            engine.cancel(transfer)
        }
        return try result.get()
    }

    /// Stops the engine thread; requests in flight or submitted later fail with `.shutdown`. Idempotent.
    public func shutdown() {
        engine.shutdown()
    }
}
