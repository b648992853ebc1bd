internal import CCurl

#if canImport(Glibc)
import Glibc
#endif

/// libcurl's process-wide initialisation, done once before the first handle exists.
enum CurlGlobal {
    /// `curl_global_init` is not thread-safe; a `static let` runs it exactly once, under Swift's lazy-global lock.
    ///
    /// curl turns an internationalized host name into its ASCII (punycode) form with libidn2 in
    /// the character encoding of the current locale, and a process starts in the C locale, where
    /// that fails for every non-ASCII name. Endpoint URLs are UTF-8, so the character type is set
    /// to C.UTF-8 first: curl and the SSRF guard (which asks curl for that same form) then agree
    /// on the name to resolve and pin. Where C.UTF-8 is missing such URLs stay unparseable and
    /// their deliveries fail; they never go out unpinned.
    static let initialized: Bool = {
        _ = setlocale(LC_CTYPE, "C.UTF-8")
        return curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    /// Text for a curl result code, used when the error buffer is empty.
    static func describe(_ code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
        return String(cString: text)
    }
}
