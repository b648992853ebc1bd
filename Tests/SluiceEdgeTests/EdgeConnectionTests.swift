import Foundation
@testable import SluiceEdge
import SluiceTesting
import Testing

/// How the edge handles connections, with webhook calls answered on the event loop and everything
/// else by the router: order, keep-alive and close, early refusals, idle timeouts.
@Suite("Edge connections")
struct EdgeConnectionTests {
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await EdgeHarness.with { edge in
            let id = "msg_pipelined"
            let request = try edge.rawWebhook(id: id)
                + Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                + edge.rawWebhook(extraHeaders: "x-note: tampered\r\n").replacingSignature()
                + Array("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                + edge.rawWebhook(path: "/webhooks/unknown")
                + edge.rawWebhook(id: id)
            let exchange = await RawConnection.exchange(port: edge.port, request: request, count: 6)
            #expect(exchange.responses.map(\.status) == [202, 200, 401, 404, 404, 200])
            #expect(String(decoding: exchange.responses[5].body, as: UTF8.self).contains(#""duplicate":true"#))
            #expect(try await edge.ingressLength() == 1)
        }
    }

    /// Requests the decoder cannot frame get a precise status and a JSON reason like every other
    /// refusal, then the connection closes (nothing after them can be framed): a head over the
    /// 80 KiB limit is 431 `headers_too_large`, bytes that are not HTTP/1.1 are 400
    /// `malformed_request`. Both are counted like other refusals.
    @Test(arguments: [
        ("POST /webhooks/gemini HTTP/1.1\r\nHost: x\r\nx-padding: \(String(repeating: "a", count: 100 * 1024))\r\n\r\n", 431, "headers_too_large"),
        ("POST /webhooks/gemini HTTP/1.1\r\nHost x\r\n\r\n", 400, "malformed_request"),
    ])
    func aRequestTheDecoderCannotFrameGetsAJSONAnswerThenTheConnectionCloses(request: String, status: Int, reason: String) async throws {
        try await EdgeHarness.with { edge in
            let exchange = await RawConnection.exchange(port: edge.port, request: Array(request.utf8), count: 1, closeWait: .seconds(5))
            let response = try #require(exchange.responses.first)
            #expect(response.status == status)
            #expect(response.header("content-type") == "application/json" && response.header("connection") == "close")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            #expect(json["reason"] as? String == reason, "\(json)")
            #expect(exchange.closedByServer)
            #expect(edge.exporterText().contains(#"sluice_ingest_total{source="_unknown",outcome="\#(reason)"} 1"#), "\(edge.exporterText())")
        }
    }

    /// Under /webhooks/ but neither one nor two segments: a JSON 404, and the connection serves the next call.
    @Test func aWebhookPathWithTooManySegmentsIsAJSON404() async throws {
        try await EdgeHarness.with { edge in
            let exchange = await RawConnection.exchange(
                port: edge.port, request: try edge.rawWebhook(path: "/webhooks/gemini/acme/extra") + edge.rawWebhook(), count: 2)
            #expect(exchange.responses.map(\.status) == [404, 202])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(exchange.responses[0].body)) as? [String: Any])
            #expect(json["reason"] as? String == "unknown_path", "\(json)")
        }
    }

    /// `Expect: 100-continue`: an acceptable head gets `100 Continue`, then the call its answer.
    @Test func expectContinueGetsAnInterimAnswerThenTheCallIsAccepted() async throws {
        try await EdgeHarness.with { edge in
            let exchange = await RawConnection.exchange(
                port: edge.port, request: try edge.rawWebhook(extraHeaders: "Expect: 100-continue\r\n"), count: 2)
            #expect(exchange.responses.map(\.status) == [100, 202])
            #expect(try await edge.ingressLength() == 1)
        }
    }

    /// A client that waits for `100 Continue` sends no body after a refusal, so the edge cannot
    /// read one and go on: it answers and closes, instead of taking the next request for a body.
    @Test func aRefusedCallThatExpectedContinueIsAnsweredThenClosed() async throws {
        try await EdgeHarness.with { edge in
            // An unknown source, and a path under /webhooks/ that names no source at all.
            for (path, reason) in [("/webhooks/unknown", "unknown_source"), ("/webhooks/a/b/c", "unknown_path")] {
                let head = "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\nExpect: 100-continue\r\nwebhook-id: a\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,AAAA\r\n\r\n"
                let exchange = await RawConnection.exchange(port: edge.port, request: Array(head.utf8), count: 1, closeWait: .seconds(5))
                let response = try #require(exchange.responses.first)
                #expect(response.status == 404)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
                #expect(json["reason"] as? String == reason, "\(path): \(json)")
                #expect(response.header("connection") == "close", "\(path)")
                #expect(exchange.closedByServer, "\(path)")
            }
        }
    }

    /// A webhook call whose chunked body cannot be framed gets its JSON 400, then the connection closes.
    @Test func aBodyTheDecoderCannotFrameIsAJSON400() async throws {
        try await EdgeHarness.with { edge in
            let head = "POST /webhooks/gemini HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nwebhook-id: a\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,AAAA\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
            let exchange = await RawConnection.exchange(port: edge.port, request: Array(head.utf8), count: 1, closeWait: .seconds(5))
            let response = try #require(exchange.responses.first)
            #expect(response.status == 400)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            #expect(json["reason"] as? String == "malformed_request", "\(json)")
            #expect(exchange.closedByServer)
        }
    }

    /// Two `webhook-signature` fields are two lists of entries, whatever their order: a valid entry
    /// in the first is not spoiled by the second.
    @Test func aSecondSignatureFieldAddsEntries() async throws {
        try await EdgeHarness.with { edge in
            let exchange = await RawConnection.exchange(
                port: edge.port, request: try edge.rawWebhook(extraHeaders: "webhook-signature: v1,AAAA\r\n"), count: 1)
            #expect(exchange.responses.first?.status == 202)
        }
    }

    /// A header field's value excludes the whitespace around it (RFC 9110): a sender or proxy that
    /// leaves spaces or tabs after the webhook headers' values is verified on the values themselves.
    @Test func whitespaceAfterTheWebhookHeadersValuesIsNotPartOfThem() async throws {
        try await EdgeHarness.with { edge in
            let text = String(decoding: try edge.rawWebhook(id: "msg_ows"), as: UTF8.self)
            var padded = ""
            for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
                padded += line.lowercased().hasPrefix("webhook-") ? line + " \t \r\n" : line + "\r\n"
            }
            padded.removeLast()  // the "\r\n" after the body (one Character)
            let exchange = await RawConnection.exchange(port: edge.port, request: Array(padded.utf8), count: 1)
            #expect(exchange.responses.first?.status == 202, "\(exchange.responses)")
            #expect(try await edge.ingressEvents().map(\.webhookID) == ["msg_ows"])
        }
    }

    /// A webhook-id that is not UTF-8 would be read with replacement characters, so two different
    /// ids could collide in the dedupe: refused.
    @Test func aWebhookIDThatIsNotUTF8IsRefused() async throws {
        try await EdgeHarness.with { edge in
            var request = Array("POST /webhooks/gemini HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nwebhook-id: msg_".utf8)
            request += [0xFF, 0xFE]
            request += Array("\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,AAAA\r\n\r\n{}".utf8)
            let exchange = await RawConnection.exchange(port: edge.port, request: request, count: 1)
            let response = try #require(exchange.responses.first)
            #expect(response.status == 400)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            #expect(json["reason"] as? String == "invalid_webhook_id", "\(json)")
        }
    }

    /// A client that shuts its sending side after its request (HTTP/1.0 clients do) still gets
    /// the answer to a call the edge stored, then the connection closes.
    @Test func aCallFollowedByTheClientsFINIsStillAnswered() async throws {
        try await EdgeHarness.with { edge in
            let exchange = await RawConnection.exchange(port: edge.port, request: try edge.rawWebhook(), count: 1, closeWait: .seconds(5), halfClose: true)
            #expect(exchange.responses.first?.status == 202)
            #expect(exchange.closedByServer)
            #expect(try await edge.ingressLength() == 1)
        }
    }

    /// HTTP/1.0 with Transfer-Encoding is answered, then closed, keep-alive or not (RFC 9112 §6.1):
    /// a 1.0 proxy in front may not agree where such a message ends.
    @Test func anHTTP10ChunkedCallIsAnsweredThenClosed() async throws {
        try await EdgeHarness.with { edge in
            var request = try edge.rawWebhook(extraHeaders: "Connection: keep-alive\r\n")
            let text = String(decoding: request, as: UTF8.self)
            let body = #"{"type":"batch.succeeded"}"#
            let chunked = text.replacingOccurrences(of: "POST /webhooks/gemini HTTP/1.1", with: "POST /webhooks/gemini HTTP/1.0")
                .replacingOccurrences(of: "Content-Length: \(body.utf8.count)\r\n", with: "Transfer-Encoding: chunked\r\n")
                .replacingOccurrences(of: "\r\n\r\n" + body, with: "\r\n\r\n" + String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n")
            request = Array(chunked.utf8)
            let exchange = await RawConnection.exchange(port: edge.port, request: request, count: 1, closeWait: .seconds(5))
            #expect(exchange.responses.first?.status == 202)
            #expect(exchange.responses.first?.header("connection") == "close")
            #expect(exchange.closedByServer)
        }
    }

    /// A request that arrives after an answer that closes, in a later segment, is neither read
    /// nor stored: the connection is done. (An HTTP/1.0 call framed by Transfer-Encoding closes
    /// though it asked for keep-alive, which NIO's parser itself does not act on.)
    @Test func aRequestAfterAnAnswerThatClosesIsNotStored() async throws {
        try await EdgeHarness.with { edge in
            let body = #"{"type":"batch.succeeded"}"#
            let chunked = String(decoding: try edge.rawWebhook(extraHeaders: "Connection: keep-alive\r\n"), as: UTF8.self)
                .replacingOccurrences(of: "POST /webhooks/gemini HTTP/1.1", with: "POST /webhooks/gemini HTTP/1.0")
                .replacingOccurrences(of: "Content-Length: \(body.utf8.count)\r\n", with: "Transfer-Encoding: chunked\r\n")
                .replacingOccurrences(of: "\r\n\r\n" + body, with: "\r\n\r\n" + String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n")
            let exchange = await RawConnection.exchange(
                port: edge.port, request: Array(chunked.utf8), count: 2, timeout: .seconds(3),
                then: (try edge.rawWebhook(id: "msg_after_close"), .milliseconds(300)))
            #expect(exchange.responses.map(\.status) == [202])
            #expect(try await edge.ingressEvents().map(\.webhookID).contains("msg_after_close") == false)
            #expect(try await edge.ingressLength() == 1)
        }
    }

    @Test func connectionCloseIsAnsweredThenClosed() async throws {
        try await EdgeHarness.with { edge in
            let exchange = await RawConnection.exchange(
                port: edge.port, request: try edge.rawWebhook(extraHeaders: "Connection: close\r\n"), count: 1, closeWait: .seconds(5))
            #expect(exchange.responses.first?.status == 202)
            #expect(exchange.responses.first?.header("connection") == "close")
            #expect(exchange.closedByServer)
        }
    }

    @Test func http10WithoutKeepAliveIsClosedAfterTheAnswer() async throws {
        try await EdgeHarness.with { edge in
            var request = try edge.rawWebhook()
            request.replaceSubrange(0..<Array("POST /webhooks/gemini HTTP/1.1".utf8).count, with: Array("POST /webhooks/gemini HTTP/1.0".utf8))
            let exchange = await RawConnection.exchange(port: edge.port, request: request, count: 1, closeWait: .seconds(5))
            #expect(exchange.responses.first?.status == 202)
            #expect(exchange.closedByServer)
        }
    }

    /// The same for the operations paths the router answers: an HTTP/1.0 probe without
    /// keep-alive is closed after its answer, not left open until the idle timeout.
    @Test func http10ProbeWithoutKeepAliveIsClosedAfterTheAnswer() async throws {
        try await EdgeHarness.with { edge in
            let exchange = await RawConnection.exchange(
                port: edge.port, request: Array("GET /healthz HTTP/1.0\r\n\r\n".utf8), count: 1, closeWait: .seconds(5))
            #expect(exchange.responses.first?.status == 200)
            #expect(exchange.closedByServer)
        }
    }

    /// A request target in absolute form (as a client talking through a proxy writes it) is
    /// routed on its path, webhook calls and probes alike (RFC 9112 §3.2.2: servers must accept it).
    @Test func anAbsoluteFormTargetIsRoutedOnItsPath() async throws {
        try await EdgeHarness.with { edge in
            var call = String(decoding: try edge.rawWebhook(), as: UTF8.self)
            call = call.replacingOccurrences(of: "POST /webhooks/gemini ", with: "POST http://127.0.0.1:\(edge.port)/webhooks/gemini ")
            let probe = "GET HTTP://edge.example/healthz HTTP/1.1\r\nHost: edge.example\r\n\r\n"
            let exchange = await RawConnection.exchange(port: edge.port, request: Array((call + probe).utf8), count: 2)
            #expect(exchange.responses.map(\.status) == [202, 200])
            #expect(try await edge.ingressLength() == 1)
        }
        #expect(EdgeConnectionHandler.originForm("https://h:8443/webhooks/a/b?x=1") == "/webhooks/a/b?x=1")
        #expect(EdgeConnectionHandler.originForm("http://h?x=1") == "/?x=1")
        #expect(EdgeConnectionHandler.originForm("http://h") == "/")
        #expect(EdgeConnectionHandler.originForm("*") == nil)
        #expect(EdgeConnectionHandler.originForm("ftp://h/webhooks/a") == nil)
    }

    @Test func keepAliveConnectionStaysOpenBetweenCalls() async throws {
        try await EdgeHarness.with { edge in
            let exchange = await RawConnection.exchange(
                port: edge.port, request: try edge.rawWebhook() + edge.rawWebhook(), count: 2, closeWait: .milliseconds(500))
            #expect(exchange.responses.map(\.status) == [202, 202])
            #expect(exchange.responses.allSatisfy { $0.header("date") != nil && $0.header("server") == "sluice-edge" })
            #expect(!exchange.closedByServer)
        }
    }

    /// Bytes that cannot be framed right behind a call (in the same segment) wait for that call's
    /// answer: Hummingbird's handling wrote a bare 400 at once and closed, so a stored event's
    /// 202 was lost and the sender read the 400 as its answer.
    @Test func junkPipelinedBehindACallIsAnsweredAfterTheCallsOwnAnswer() async throws {
        try await EdgeHarness.with { edge in
            for _ in 0..<5 {
                let request = try edge.rawWebhook() + Array("GARBAGE\r\n\r\n".utf8)
                let exchange = await RawConnection.exchange(port: edge.port, request: request, count: 2, closeWait: .seconds(5))
                #expect(exchange.responses.map(\.status) == [202, 400], "\(exchange.responses.map(\.status))")
                let json = (exchange.responses.last).flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] }
                #expect(json?["reason"] as? String == "malformed_request", "\(String(describing: json))")
                #expect(exchange.closedByServer)
            }
            #expect(try await edge.ingressLength() == 5)
        }
    }

    /// The same with more bytes in a later segment while the call is still being stored (Redis
    /// pauses writes): the decoder reports those as a different error, which closed the
    /// connection with no answer at all although the event was stored.
    @Test func moreBytesAfterTheJunkInALaterSegmentDoNotLoseTheCallsAnswer() async throws {
        try await EdgeHarness.with { edge in
            _ = try await edge.redis.client.send(["CLIENT", "PAUSE", "1500", "WRITE"])
            let request = try edge.rawWebhook() + Array("GARBAGE\r\n\r\n".utf8)
            let exchange = await RawConnection.exchange(
                port: edge.port, request: request, count: 2, closeWait: .seconds(5), then: (Array("MORE\r\n\r\n".utf8), .milliseconds(300)))
            #expect(exchange.responses.map(\.status) == [202, 400], "\(exchange.responses.map(\.status))")
            #expect(try await edge.ingressLength() == 1)
        }
    }

    @Test func oversizeChunkedBodyIsRefusedAndTheConnectionServesTheNextCall() async throws {
        try await EdgeHarness.with { edge in
            // max_body is 1 KiB; no content-length, so the edge finds out while reading.
            let chunk = String(repeating: "x", count: 1000)
            var request = Array("POST /webhooks/gemini HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nwebhook-id: big\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,AAAA\r\n\r\n".utf8)
            for _ in 0..<4 { request += Array("3e8\r\n\(chunk)\r\n".utf8) }
            request += Array("0\r\n\r\n".utf8) + (try edge.rawWebhook())
            let exchange = await RawConnection.exchange(port: edge.port, request: request, count: 2)
            #expect(exchange.responses.map(\.status) == [413, 202])
            #expect(try await edge.ingressLength() == 1)
        }
    }

    @Test func headOnAWebhookPathGets405WithoutABody() async throws {
        try await EdgeHarness.with { edge in
            let request = Array("HEAD /webhooks/gemini HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + (try edge.rawWebhook())
            let exchange = await RawConnection.exchange(port: edge.port, request: request, count: 2, headResponses: [0])
            #expect(exchange.responses.map(\.status) == [405, 202])
        }
    }

    /// The timing itself is `IngressExchangeTests`'; this checks that the handler acts on it.
    @Test func idleConnectionIsClosedByTheServer() async throws {
        try await EdgeHarness.with(idleTimeout: .milliseconds(200)) { edge in
            // The wait is only a bound: the exchange returns as soon as the server closes.
            let silent = await RawConnection.exchange(port: edge.port, request: [], count: 0, closeWait: .seconds(10), timeout: .seconds(15))
            #expect(silent.closedByServer)
        }
    }
}

extension [UInt8] {
    /// The same request with a signature that cannot verify.
    func replacingSignature() -> [UInt8] {
        let text = String(decoding: self, as: UTF8.self)
        guard let range = text.range(of: "webhook-signature: v1,") else { return self }
        var replaced = text
        replaced.replaceSubrange(range.upperBound..<text.index(range.upperBound, offsetBy: 4), with: "AAAA")
        return Array(replaced.utf8)
    }
}
