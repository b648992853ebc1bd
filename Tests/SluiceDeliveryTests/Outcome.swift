import SluiceDelivery

/// The request's result as a value, so it can run in an `async let` or a task beside other work.
func outcome(_ client: HTTPClient, _ request: HTTPRequest) async -> Result<HTTPResponse, HTTPClientError> {
    do {
        return .success(try await client.execute(request))
    } catch {
        return .failure(error)
    }
}
