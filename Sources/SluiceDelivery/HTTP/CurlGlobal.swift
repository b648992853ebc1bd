internal import CCurl

/// libcurl's process-wide initialisation, done once before the first handle exists.
enum CurlGlobal {
    /// `curl_global_init` is not thread-safe; a `static let` runs it exactly once, under Swift's lazy-global lock.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    /// Text for a curl result code, used when the error buffer is empty.
    static func describe(_ code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
        return String(cString: text)
    }
}
