import Foundation
import SluiceCore
import SluiceTesting
import Testing

/// Every status code of docs/http.md, each with a real HTTP request to a real edge.
@Suite struct IngressStatusTests {
    @Test func verifiedEventIsStoredThenAnswered202WithItsID() async throws {
        try await EdgeHarness.with { edge in
            let body = #"{"type":"batch.succeeded","data":{"batch":"batches/42"}}"#
            let response = try await edge.post(id: "msg_accepted_1", body: body)
            #expect(response.status == 202)
            #expect(response.json["id"] as? String == "msg_accepted_1")
            let events = try await edge.ingressEvents()
            #expect(events.count == 1)
            #expect(events.first?.webhookID == "msg_accepted_1")
            #expect(events.first?.source == "gemini")
            #expect(events.first?.eventType == "batch.succeeded")
            #expect(events.first?.body == Array(body.utf8))
            #expect(events.first?.channel == nil)
        }
    }

    @Test func channelPathSegmentIsStoredWithTheEvent() async throws {
        try await EdgeHarness.with { edge in
            let response = try await edge.post(path: "/webhooks/gemini/acme")
            #expect(response.status == 202)
            #expect(try await edge.ingressEvents().first?.channel == "acme")
        }
    }

    @Test func repeatedWebhookIDAnswers200DuplicateAndEnqueuesNothing() async throws {
        try await EdgeHarness.with { edge in
            #expect(try await edge.post(id: "msg_dup").status == 202)
            let again = try await edge.post(id: "msg_dup")
            #expect(again.status == 200)
            #expect(again.json["duplicate"] as? Bool == true)
            #expect(again.json["id"] as? String == "msg_dup")
            #expect(try await edge.ingressLength() == 1)
        }
    }

    @Test func wrongSignatureIs401WithReasonAndNothingStored() async throws {
        try await EdgeHarness.with { edge in
            let response = try await edge.post(secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
            #expect(response.status == 401)
            #expect(response.json["reason"] as? String == "signature_mismatch")
            #expect(response.json["error"] is String)
            #expect(try await edge.ingressLength() == 0)
        }
    }

    @Test func forgedReplayOfASeenIDIs401NotDuplicate() async throws {
        try await EdgeHarness.with { edge in
            #expect(try await edge.post(id: "msg_seen").status == 202)
            let forged = try await edge.post(id: "msg_seen", signature: "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
            #expect(forged.status == 401)
        }
    }

    @Test func staleOrFutureTimestampIs401() async throws {
        try await EdgeHarness.with { edge in
            // Well past the 5 m tolerance, and the clock read per request, so a slow machine cannot shrink the skew.
            for skew in [Int64(-330), 330] {
                let response = try await edge.post(timestamp: Int64(Date().timeIntervalSince1970) + skew)
                #expect(response.status == 401)
                #expect(response.json["reason"] as? String == "timestamp_out_of_tolerance")
            }
            #expect(try await edge.post(timestamp: Int64(Date().timeIntervalSince1970) - 270).status == 202)
            #expect(try await edge.ingressLength() == 1)
        }
    }

    @Test func missingHeadersOrNonIntegerTimestampAre400() async throws {
        try await EdgeHarness.with { edge in
            for header in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
                let response = try await edge.post(omit: [header])
                #expect(response.status == 400, "without \(header)")
                #expect(response.json["reason"] != nil)
            }
            let bad = try await edge.post(signature: "v1,abc=", omit: ["webhook-timestamp"])
            #expect(bad.status == 400)
            let text = try await edge.send(path: "/webhooks/gemini", headers: [
                .init(name: "webhook-id", value: "msg_x"), .init(name: "webhook-timestamp", value: "soon"),
                .init(name: "webhook-signature", value: "v1,abc="),
            ], body: Array("{}".utf8))
            #expect(text.status == 400)
            #expect(text.json["reason"] as? String == "invalid_timestamp")
            #expect(try await edge.ingressLength() == 0)
        }
    }

    @Test func aSignatureHeaderWithHundredsOfEntriesIs400AndNothingIsStored() async throws {
        try await EdgeHarness.with { edge in
            let entry = "v1a," + Data(repeating: 7, count: 64).base64EncodedString()
            let response = try await edge.post(signature: Array(repeating: entry, count: 300).joined(separator: " "))
            #expect(response.status == 400)
            #expect(response.json["reason"] as? String == "too_many_signatures")
            #expect(try await edge.ingressLength() == 0)
        }
    }

    @Test func headerNamesAreCaseInsensitive() async throws {
        try await EdgeHarness.with { edge in
            let body = Array(#"{"type":"video.generated"}"#.utf8)
            let now = Int64(Date().timeIntervalSince1970)
            let signature = WebhookSigner.signatureHeader(
                for: SignedContent(id: "msg_case", timestamp: now, body: body),
                secrets: [try WebhookSecret(parsing: EdgeHarness.secret)], ed25519Keys: [])
            let response = try await edge.send(path: "/webhooks/gemini", headers: [
                .init(name: "Webhook-Id", value: "msg_case"), .init(name: "WEBHOOK-TIMESTAMP", value: String(now)),
                .init(name: "Webhook-Signature", value: signature),
            ], body: body)
            #expect(response.status == 202)
        }
    }

    @Test func oversizeBodyIs413() async throws {
        try await EdgeHarness.with { edge in
            let big = #"{"type":"batch.succeeded","pad":""# + String(repeating: "x", count: 2000) + #""}"#
            let response = try await edge.post(body: big)
            #expect(response.status == 413)
            #expect(response.json["reason"] as? String == "body_too_large")
            #expect(try await edge.ingressLength() == 0)
        }
    }

    @Test func signedBodyThatIsNotAJSONObjectIs400() async throws {
        try await EdgeHarness.with { edge in
            let invalid = try await edge.post(body: #"{"type": "batch.succeeded""#)
            #expect(invalid.status == 400)
            #expect(invalid.json["reason"] as? String == "invalid_json")
            let array = try await edge.post(body: #"[{"type":"batch.succeeded"}]"#)
            #expect(array.status == 400)
            #expect(array.json["reason"] as? String == "not_an_object")
            #expect(try await edge.ingressLength() == 0)
        }
    }

    /// A compressed body is refused for what it is (415), after verification like the other body
    /// checks, not stored as bytes no tenant could read; `identity` is no coding.
    @Test func signedBodyWithAContentEncodingIs415() async throws {
        try await EdgeHarness.with { edge in
            let gzip = await RawConnection.exchange(port: edge.port, request: try edge.rawWebhook(extraHeaders: "Content-Encoding: gzip\r\n"), count: 1)
            let refused = try #require(gzip.responses.first)
            #expect(refused.status == 415)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(refused.body)) as? [String: Any])
            #expect(json["reason"] as? String == "unsupported_content_encoding", "\(json)")
            #expect(try await edge.ingressLength() == 0)
            // Verification still comes first.
            var unsigned = try edge.rawWebhook(extraHeaders: "Content-Encoding: gzip\r\n")
            let mark = Array("webhook-signature: v1,".utf8)
            if let at = (0...(unsigned.count - mark.count)).first(where: { Array(unsigned[$0..<$0 + mark.count]) == mark }) {
                unsigned[at + mark.count] = unsigned[at + mark.count] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            }
            #expect(await RawConnection.exchange(port: edge.port, request: unsigned, count: 1).responses.first?.status == 401)
            let identity = await RawConnection.exchange(port: edge.port, request: try edge.rawWebhook(extraHeaders: "Content-Encoding: identity\r\n"), count: 1)
            #expect(identity.responses.first?.status == 202)
            #expect(try await edge.ingressLength() == 1)
        }
    }

    @Test func bodyWithoutStringTypeIsAcceptedWithEmptyType() async throws {
        try await EdgeHarness.with { edge in
            #expect(try await edge.post(body: #"{"data":{"x":1}}"#).status == 202)
            #expect(try await edge.post(body: #"{"type":42}"#).status == 202)
            let types = try await edge.ingressEvents().map(\.eventType)
            #expect(types == ["", ""])
        }
    }

    @Test func unknownSourceIs404() async throws {
        try await EdgeHarness.with { edge in
            let response = try await edge.post(path: "/webhooks/nobody")
            #expect(response.status == 404)
            #expect(response.json["reason"] as? String == "unknown_source")
        }
    }

    @Test func wrongMethodIs405() async throws {
        try await EdgeHarness.with { edge in
            let get = try await edge.get("/webhooks/gemini")
            #expect(get.status == 405)
            #expect(get.header("allow") == "POST")
            let put = try await edge.post(path: "/webhooks/gemini/acme", method: "PUT")
            #expect(put.status == 405)
        }
    }
}
