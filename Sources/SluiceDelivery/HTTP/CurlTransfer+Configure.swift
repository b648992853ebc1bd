internal import CCurl

extension CurlTransfer {
    /// Applies the request to the easy handle. Returns a message when the request cannot be sent.
    /// `connectToEntry` gives the pinned address's CONNECT_TO text (the engine remembers them).
    func configure(defaultConnectTimeout: Duration, connectToEntry: (PinnedAddress) -> String) -> String? {
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

        let handle = self.handle!
        let method = request.method.uppercased()
        // What a delivery is; a handle that sent one may send the next without a reset (see CurlEasyHandle).
        let plain = method == "POST" && request.tls == nil
        if handle.keepsOptions && !plain { handle.reset() }
        if !handle.keepsOptions { configureSharedOptions(handle) }

        set(CURLOPT_URL, request.url)
        let total = Self.milliseconds(request.timeout)
        set(CURLOPT_TIMEOUT_MS, total)
        set(CURLOPT_CONNECTTIMEOUT_MS, min(Self.milliseconds(request.connectTimeout ?? defaultConnectTimeout), total))

        if let tls = request.tls {
            if let caFile = tls.caFile { set(CURLOPT_CAINFO, caFile) }
            if let cert = tls.clientCertFile { set(CURLOPT_SSLCERT, cert) }
            if let key = tls.clientKeyFile { set(CURLOPT_SSLKEY, key) }
        }

        configureListsAndBody(handle.arena, method: method, connectTo: request.connectTo.map(connectToEntry))

        let this = Unmanaged.passUnretained(self).toOpaque()
        setPointer(CURLOPT_WRITEDATA, this)
        setPointer(CURLOPT_HEADERDATA, this)
        // A pinned request may only be sent to the pinned address: checked once connected,
        // before a byte of the request leaves (a reused handle may carry an earlier pin's check).
        record(sluice_easy_setopt_prereq_cb(easy, request.connectTo == nil ? nil : curlPrereqCallback), CURLOPT_PREREQFUNCTION)
        setPointer(CURLOPT_PREREQDATA, request.connectTo == nil ? nil : this)

        if let rejectedOption {
            // Which options took is unknown: the handle gets a full reset before its next request.
            handle.keepsOptions = false
            return "curl rejected option \(rejectedOption.rawValue) for this request"
        }
        handle.keepsOptions = plain
        return nil
    }

    /// The options every request sets to the same value: set once per handle until its next reset.
    private func configureSharedOptions(_ handle: CurlEasyHandle) {
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
        setPointer(CURLOPT_ERRORBUFFER, handle.errorBuffer)
        record(sluice_easy_setopt_write_cb(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback), CURLOPT_WRITEFUNCTION)
        record(sluice_easy_setopt_write_cb(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback), CURLOPT_HEADERFUNCTION)
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

    /// Lays out the header list, the pinned CONNECT_TO entry and the body in the handle's arena
    /// and points curl at them; every one is set on every request, so none is left from the last.
    private func configureListsAndBody(_ arena: CurlRequestArena, method: String, connectTo: String?) {
        let headers = request.headers
        var hasExpect = false
        var hasContentType = false
        var bytes = request.body.count
        for header in headers {
            // "Name: value" or "Name;" (curl drops "Name:" with an empty value), plus the NUL.
            bytes += header.name.utf8.count + (header.value.isEmpty ? 2 : 3 + header.value.utf8.count)
            // Names were checked to be ASCII tokens, so an ASCII case-insensitive match suffices.
            if !hasExpect, Self.isNamed(header.name, "expect") { hasExpect = true }
            if !hasContentType, Self.isNamed(header.name, "content-type") { hasContentType = true }
        }
        // No 100-continue round trip: receivers answer the whole request at once.
        let expect: StaticString? = hasExpect ? nil : "Expect:"
        // Without this curl labels bodies application/x-www-form-urlencoded.
        let contentType: StaticString? = hasContentType ? nil : "Content-Type:"
        let extraCount = (expect == nil ? 0 : 1) + (contentType == nil ? 0 : 1)
        bytes += (expect?.utf8CodeUnitCount ?? -1) + 1 + (contentType?.utf8CodeUnitCount ?? -1) + 1
        if let connectTo { bytes += connectTo.utf8.count + 1 }
        arena.prepare(nodes: headers.count + extraCount + (connectTo == nil ? 0 : 1), bytes: bytes)

        let pinned = arena.list(connectTo == nil ? 0 : 1) { _, line in line.write(connectTo!) }
        setPointer(CURLOPT_CONNECT_TO, pinned)
        let headerList = arena.list(headers.count + extraCount) { index, line in
            guard index < headers.count else {
                line.write(index == headers.count ? (expect ?? contentType!) : contentType!)
                return
            }
            let header = headers[index]
            line.write(header.name)
            if header.value.isEmpty {
                line.write(UInt8(ascii: ";"))
            } else {
                line.write(": " as StaticString)
                line.write(header.value)
            }
        }
        setPointer(CURLOPT_HTTPHEADER, headerList)

        if method == "GET", request.body.isEmpty {
            set(CURLOPT_HTTPGET, 1)
            return
        }
        if method == "HEAD" {
            set(CURLOPT_NOBODY, 1)
            return
        }
        set(CURLOPT_POST, 1)
        // Size first: POSTFIELDS then sends exactly that many bytes, so the body may contain NULs.
        record(
            sluice_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
            CURLOPT_POSTFIELDSIZE_LARGE
        )
        setPointer(CURLOPT_POSTFIELDS, arena.copy(request.body))
        if method != "POST" { set(CURLOPT_CUSTOMREQUEST, request.method) }
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
        max(Int(duration.wholeMilliseconds), 1)
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

/// curl pre-request callback: the connection is up and the request not yet sent. Aborts the
/// transfer when curl connected anywhere but the address the SSRF guard pinned (for example a
/// host name curl resolved itself because the pin did not match its form of the name).
private let curlPrereqCallback: sluice_curl_prereq_cb = { userdata, primaryIP, _, _, _ in
    guard let userdata else { return Int32(CURL_PREREQFUNC_ABORT) }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let connected = primaryIP.map { String(cString: $0) } ?? ""
    return transfer.connectedTo(connected) ? Int32(CURL_PREREQFUNC_OK) : Int32(CURL_PREREQFUNC_ABORT)
}

/// curl header callback: one header line per call.
private let curlHeaderCallback: sluice_curl_write_cb = { pointer, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
    return size * count
}
