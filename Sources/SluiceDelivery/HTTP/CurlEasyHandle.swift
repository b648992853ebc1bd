internal import CCurl

/// Owns one curl easy handle and the error buffer curl writes into, for the handle's whole life.
///
/// The engine keeps idle handles and lends one to each transfer: creating and freeing a handle
/// per request (with the buffers curl allocates inside it) cost more than the request itself on
/// a kept-alive connection. Nothing of one request (URL, headers, pinned address, TLS files,
/// callbacks' user data) may leak into the next: either ``reset()`` clears every option, or
/// (``keepsOptions``) the next request overwrites every option the last one set.
final class CurlEasyHandle {
    // Not Sendable on purpose: created, lent and freed on the engine thread only.
    let raw: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The header lists and body of the request on this handle.
    let arena = CurlRequestArena()
    /// The options shared by every request are set, and the last request set nothing else that
    /// the next one does not set again (a plain POST without TLS files: a delivery). Such a handle
    /// is reused without `curl_easy_reset`, which freed and rebuilt curl's option strings (and we
    /// then set the shared options again) on every request.
    var keepsOptions = false

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
        keepsOptions = false
    }

    /// Readies the handle for the next request after one ended: a reset unless it `keepsOptions`,
    /// and in either case no pointer to the ended transfer (the callbacks' user data) survives it.
    func recycle() {
        guard keepsOptions else {
            reset()
            return
        }
        _ = sluice_easy_setopt_ptr(raw, CURLOPT_WRITEDATA, nil)
        _ = sluice_easy_setopt_ptr(raw, CURLOPT_HEADERDATA, nil)
        errorBuffer[0] = 0
    }
}
