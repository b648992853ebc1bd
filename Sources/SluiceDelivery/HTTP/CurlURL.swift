internal import CCurl

/// The parts of an endpoint URL that decide where a connection goes, parsed by curl's
/// own URL parser so the SSRF guard and the transfer can never disagree about the host.
struct CurlURL {
    var scheme: String
    /// Host without IPv6 brackets, in the ASCII (IDNA, punycode) form curl itself looks up and
    /// matches `CONNECT_TO` against: for `bücher.example` that is `xn--bcher-kva.example`. The
    /// guard must resolve and pin this form, or curl would not use the pin and would resolve
    /// the name itself.
    var host: String
    var port: Int

    init?(_ url: String) {
        guard CurlGlobal.initialized, let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK,
            let scheme = Self.part(handle, CURLUPART_SCHEME, flags: 0),
            var host = Self.part(handle, CURLUPART_HOST, flags: UInt32(CURLU_PUNYCODE)),
            let portText = Self.part(handle, CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)),
            let port = Int(portText)
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        self.scheme = scheme.lowercased()
        self.host = host
        self.port = port
    }

    private static func part(_ handle: OpaquePointer, _ part: CURLUPart, flags: UInt32) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, part, &value, flags) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}
