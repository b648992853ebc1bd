internal import CCurl
import SluiceCore

/// One request in flight: borrows a curl easy handle from the engine while it runs. What curl
/// reads during the request (header lists, body) lives in the handle's arena, not here.
///
/// Confined to the engine thread after submission; callbacks reach it through an
/// unretained pointer that stays valid because the engine keeps the transfer in its
/// active table until curl reports it done.
final class CurlTransfer: @unchecked Sendable {
    // @unchecked: created by the caller, then touched only by the engine thread.
    typealias Completion = @Sendable (Result<HTTPResponse, HTTPClientError>) -> Void

    let request: HTTPRequest
    /// The borrowed handle: set by the engine when the transfer starts, taken back when it ends.
    var handle: CurlEasyHandle?
    let submittedAt: ContinuousClock.Instant
    var responseHeaders: [HTTPHeader] = []
    var responseBody: [UInt8] = []
    var bodyTruncated = false
    var rejectedOption: CURLoption?
    /// The address curl connected to when it was not the pinned one (the transfer was aborted).
    var unpinnedPeer: String?
    /// Set by the caller before `submit`, read and cleared by the engine thread only after it.
    var completion: Completion?

    init(request: HTTPRequest) {
        self.request = request
        self.submittedAt = .now
    }

    /// The borrowed handle's raw pointer; only valid while the transfer runs.
    var easy: UnsafeMutableRawPointer { handle!.raw }

    var elapsed: Duration { .now - submittedAt }

    /// Resumes the caller exactly once.
    func finish(_ result: Result<HTTPResponse, HTTPClientError>) {
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }

    func fail(_ kind: HTTPClientError.Kind, _ message: String) {
        finish(.failure(HTTPClientError(kind: kind, message: message, duration: elapsed)))
    }

    /// Whether `peer` (curl's primary IP) is the request's pinned address; remembers it if not.
    func connectedTo(_ peer: String) -> Bool {
        guard let pinned = request.connectTo else { return true }
        if let address = IPAddress(peer), address == pinned.ip { return true }
        unpinnedPeer = peer
        return false
    }

    /// Called by the engine when curl reports the transfer done.
    func complete(_ code: CURLcode) {
        if let peer = unpinnedPeer, let pinned = request.connectTo {
            fail(
                .addressMismatch,
                "connected to \(peer.isEmpty ? "an unknown address" : peer) instead of \(pinned.ip), the address checked for \(pinned.host); the request was not sent")
            return
        }
        // A body over the cap aborts the transfer from the write callback; that is still a response.
        guard code == CURLE_OK || (code == CURLE_WRITE_ERROR && bodyTruncated) else {
            let buffered = handle.map { String(cString: $0.errorBuffer) } ?? ""
            fail(Self.kind(of: code, message: buffered), buffered.isEmpty ? Self.describe(code) : buffered)
            return
        }
        var status = 0
        var version = 0
        var connects = 0
        _ = sluice_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        _ = sluice_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        _ = sluice_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        finish(
            .success(
                HTTPResponse(
                    status: status,
                    headers: responseHeaders,
                    body: responseBody,
                    bodyTruncated: bodyTruncated,
                    duration: elapsed,
                    httpVersion: Self.versionText(version),
                    newConnections: connects
                )
            )
        )
    }

    /// Write callback body: keep the first `maxResponseBytes`, abort once more arrives.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        let room = max(request.maxResponseBytes - responseBody.count, 0)
        if chunk.count <= room {
            responseBody.append(contentsOf: chunk)
            return chunk.count
        }
        responseBody.append(contentsOf: chunk.prefix(room))
        bodyTruncated = true
        return 0
    }

    /// Header callback body: one raw line per call, status lines included.
    func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        // Trim bytes, not Characters: "\r\n" is a single Character in Swift.
        var end = raw.count
        while end > 0, raw[end - 1] == UInt8(ascii: "\r") || raw[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<end])
        // Header lines are ASCII in practice: handle those on bytes, once per line per response.
        if !bytes.contains(where: { $0 >= 0x80 }) {
            receiveASCIIHeaderLine(bytes)
            return
        }
        let line = Substring(String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<end]), as: UTF8.self))
        if line.hasPrefix("HTTP/") {
            // A new status line (after a 1xx) starts a new header block.
            responseHeaders.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        if let kept = request.keptResponseHeaders, !kept.contains(name) { return }
        let value = line[line.index(after: colon)...].trimmingSpaces()
        responseHeaders.append(HTTPHeader(name: name, value: String(value)))
    }

    /// ``receiveHeaderLine(_:)`` for an all-ASCII line (trailing CR/LF already gone): the same
    /// result without going through Characters.
    private func receiveASCIIHeaderLine(_ line: UnsafeRawBufferPointer) {
        if line.count >= 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"),
            line[3] == UInt8(ascii: "P"), line[4] == UInt8(ascii: "/")
        {
            responseHeaders.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        if let kept = request.keptResponseHeaders, !Self.names(kept, contain: UnsafeRawBufferPointer(rebasing: line[..<colon])) {
            return
        }
        let name = String(unsafeUninitializedCapacity: colon) { buffer in
            for index in 0..<colon {
                let byte = line[index]
                buffer[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return colon
        }
        var start = colon + 1
        var end = line.count
        while start < end, line[start] == UInt8(ascii: " ") || line[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, line[end - 1] == UInt8(ascii: " ") || line[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
        responseHeaders.append(HTTPHeader(name: name, value: value))
    }

    /// Whether `lowered` holds `name` (raw ASCII bytes, any case), compared without making a String.
    private static func names(_ lowered: [String], contain name: UnsafeRawBufferPointer) -> Bool {
        lowered.contains { candidate in
            candidate.utf8.count == name.count
                && zip(candidate.utf8, name).allSatisfy { want, byte in
                    (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == want
                }
        }
    }

    /// `message` is curl's error buffer: a send or receive error that is a TLS alert from the
    /// peer ("…:SSL routines::tlsv13 alert certificate required") is a TLS failure. Under TLS 1.3
    /// a server refuses a missing or unaccepted client certificate after the handshake, so curl
    /// learns of it on the first read or write, not while connecting. Other OpenSSL read errors
    /// ("unexpected eof while reading": the peer closed without close_notify) are connection
    /// trouble, not certificates, and stay `other`.
    static func kind(of code: CURLcode, message: String = "") -> HTTPClientError.Kind {
        if code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR, message.contains("SSL routines"), message.contains(" alert ") {
            return .tls
        }
        return switch code {
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_COULDNT_CONNECT: .connect
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .dns
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CLIENTCERT, CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT: .invalidRequest
        default: .other
        }
    }

    /// curl's text for a code it gave no message for. libcurl 7.88 refuses a response whose header
    /// section passes 100 KB with a bare "Out of memory", which reads as the worker's own trouble.
    static func describe(_ code: CURLcode) -> String {
        code == CURLE_OUT_OF_MEMORY
            ? "Out of memory (how libcurl reports a response whose headers pass 100 KB, the likelier cause)"
            : CurlGlobal.describe(code)
    }

    private static func versionText(_ version: Int) -> String {
        switch version {
        case Int(CURL_HTTP_VERSION_1_0): "1.0"
        case Int(CURL_HTTP_VERSION_2_0): "2"
        case Int(CURL_HTTP_VERSION_3): "3"
        default: "1.1"
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
