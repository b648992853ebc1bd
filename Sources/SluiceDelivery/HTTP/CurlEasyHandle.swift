internal import CCurl

/// Owns one curl easy handle and the error buffer curl writes into, for the handle's whole life.
///
/// The engine keeps idle handles and lends one to each transfer: creating and freeing a handle
/// per request (with the buffers curl allocates inside it) cost more than the request itself on
/// a kept-alive connection. Between requests ``reset()`` clears every option, so nothing of one
/// request (URL, headers, pinned address, TLS files, callbacks) leaks into the next.
final class CurlEasyHandle {
    // Not Sendable on purpose: created, lent and freed on the engine thread only.
    let raw: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard CurlGlobal.initialized, let raw = curl_easy_init() else { return nil }
        self.raw = raw
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Back to a fresh handle's options (curl keeps its buffers and caches); empties the error buffer.
    func reset() {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
    }
}
