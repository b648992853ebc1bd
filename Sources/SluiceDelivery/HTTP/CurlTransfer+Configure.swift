internal import CCurl

extension CurlTransfer {
    /// Applies the request to the easy handle. Returns a message when the request cannot be sent.
    func configure(defaultConnectTimeout: Duration) -> String? {
        let request = self.request
        guard request.method.utf8.allSatisfy({ Self.isTokenByte($0) }), !request.method.isEmpty else {
            return "method '\(request.method)' is not a valid HTTP token"
        }
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy({ Self.isTokenByte($0) }) else {
                return "header name '\(header.name)' is not a valid HTTP token"
            }
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                return "header '\(header.name)' contains a line break"
            }
        }

        set(CURLOPT_URL, request.url)
        // Only web schemes; no file://, gopher:// and friends reachable from an endpoint URL.
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        // Ignore http_proxy and friends from the environment: the pinned address must be the peer.
        set(CURLOPT_PROXY, "")
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_FOLLOWLOCATION, 0)
        set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        set(CURLOPT_SSL_VERIFYPEER, 1)
        set(CURLOPT_SSL_VERIFYHOST, 2)
        set(CURLOPT_TCP_KEEPALIVE, 1)
        let total = Self.milliseconds(request.timeout)
        set(CURLOPT_TIMEOUT_MS, total)
        set(CURLOPT_CONNECTTIMEOUT_MS, min(Self.milliseconds(request.connectTimeout ?? defaultConnectTimeout), total))
        setPointer(CURLOPT_ERRORBUFFER, handle!.errorBuffer)

        if let tls = request.tls {
            if let caFile = tls.caFile { set(CURLOPT_CAINFO, caFile) }
            if let cert = tls.clientCertFile { set(CURLOPT_SSLCERT, cert) }
            if let key = tls.clientKeyFile { set(CURLOPT_SSLKEY, key) }
        }

        if let pinned = request.connectTo {
            connectToList = curl_slist_append(nil, pinned.curlConnectTo)
            setPointer(CURLOPT_CONNECT_TO, connectToList)
        }

        configureMethodAndBody()
        configureHeaders()

        let this = Unmanaged.passUnretained(self).toOpaque()
        setPointer(CURLOPT_WRITEDATA, this)
        setPointer(CURLOPT_HEADERDATA, this)
        record(sluice_easy_setopt_write_cb(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback), CURLOPT_WRITEFUNCTION)
        record(sluice_easy_setopt_write_cb(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback), CURLOPT_HEADERFUNCTION)

        if let rejectedOption {
            return "curl rejected option \(rejectedOption.rawValue) for this request"
        }
        return nil
    }

    private func record(_ code: CURLcode, _ option: CURLoption) {
        if code != CURLE_OK, rejectedOption == nil { rejectedOption = option }
    }

    private func set(_ option: CURLoption, _ value: Int) {
        record(sluice_easy_setopt_long(easy, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String) {
        // curl copies string options, so the temporary C string may go away after the call.
        record(value.withCString { sluice_easy_setopt_ptr(easy, option, $0) }, option)
    }

    private func setPointer(_ option: CURLoption, _ value: UnsafeRawPointer?) {
        record(sluice_easy_setopt_ptr(easy, option, value), option)
    }

    private func configureMethodAndBody() {
        let method = request.method.uppercased()
        if method == "GET", request.body.isEmpty {
            set(CURLOPT_HTTPGET, 1)
            return
        }
        if method == "HEAD" {
            set(CURLOPT_NOBODY, 1)
            return
        }
        set(CURLOPT_POST, 1)
        // Size first: COPYPOSTFIELDS copies exactly that many bytes, so the body may contain NULs.
        record(
            sluice_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
            CURLOPT_POSTFIELDSIZE_LARGE
        )
        let bytes = request.body.isEmpty ? [UInt8(0)] : request.body
        bytes.withUnsafeBytes { setPointer(CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        if method != "POST" { set(CURLOPT_CUSTOMREQUEST, request.method) }
    }

    private func configureHeaders() {
        var hasExpect = false
        var hasContentType = false
        for header in request.headers {
            // curl drops "Name:" (empty value) unless written "Name;".
            let line = header.value.isEmpty ? header.name + ";" : header.name + ": " + header.value
            headerList = curl_slist_append(headerList, line)
            // Names were checked to be ASCII tokens, so an ASCII case-insensitive match suffices.
            if !hasExpect, Self.isNamed(header.name, "expect") { hasExpect = true }
            if !hasContentType, Self.isNamed(header.name, "content-type") { hasContentType = true }
        }
        // No 100-continue round trip: receivers answer the whole request at once.
        if !hasExpect { headerList = curl_slist_append(headerList, "Expect:") }
        // Without this curl labels bodies application/x-www-form-urlencoded.
        if !hasContentType { headerList = curl_slist_append(headerList, "Content-Type:") }
        setPointer(CURLOPT_HTTPHEADER, headerList)
    }

    /// Whether `name` equals the lowercase ASCII `lowered`, ignoring ASCII case.
    private static func isNamed(_ name: String, _ lowered: StaticString) -> Bool {
        let utf8 = name.utf8
        guard utf8.count == lowered.utf8CodeUnitCount else { return false }
        return lowered.withUTF8Buffer { expected in
            zip(utf8, expected).allSatisfy { byte, want in
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == want
            }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000), 1)
    }

    /// RFC 9110 token characters.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// curl write callback: `userdata` is the unretained `CurlTransfer`.
private let curlWriteCallback: sluice_curl_write_cb = { pointer, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
}

/// curl header callback: one header line per call.
private let curlHeaderCallback: sluice_curl_write_cb = { pointer, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}
