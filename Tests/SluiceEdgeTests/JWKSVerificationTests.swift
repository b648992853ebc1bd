import Crypto
import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// Dynamic webhooks: v1a Ed25519 and JWTs verified against a JWKS served by a real local server.
@Suite struct JWKSVerificationTests {
    static func base64URL(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func jwk(_ key: Curve25519.Signing.PublicKey, kid: String) -> String {
        #"{"kty":"OKP","crv":"Ed25519","kid":"\#(kid)","x":"\#(base64URL(key.rawRepresentation))"}"#
    }

    static func jwks(_ keys: [(Curve25519.Signing.PublicKey, String)]) -> SinkResponse {
        SinkResponse(
            status: 200, headers: [(name: "content-type", value: "application/json"), (name: "cache-control", value: "max-age=600")],
            text: #"{"keys":[\#(keys.map { jwk($0.0, kid: $0.1) }.joined(separator: ","))]}"#)
    }

    static func jwt(_ key: Curve25519.Signing.PrivateKey, kid: String, claims: String) throws -> String {
        let header = base64URL(Data(#"{"alg":"EdDSA","typ":"JWT","kid":"\#(kid)"}"#.utf8))
        let input = header + "." + base64URL(Data(claims.utf8))
        return input + "." + base64URL(try key.signature(for: Data(input.utf8)))
    }

    static func v1a(_ key: Curve25519.Signing.PrivateKey, id: String, timestamp: Int64, body: String) throws -> String {
        let signing = try Ed25519SigningKey(seed: Array(key.rawRepresentation))
        return WebhookSigner.signatureHeader(
            for: SignedContent(id: id, timestamp: timestamp, body: Array(body.utf8)), secrets: [], ed25519Keys: [signing])
    }

    static let body = #"{"type":"interaction.completed","data":{"id":"interactions/1"}}"#

    @Test func v1aSignatureVerifiesWithAKeyFromTheJWKS() async throws {
        let key = Curve25519.Signing.PrivateKey()
        try await withSink { jwks in
            await jwks.respond(to: "/jwks", with: Self.jwks([(key.publicKey, "k1")]))
            try await EdgeHarness.with(routes: RoutesTemplate { EdgeHarness.routes(prefix: $0, jwksURL: jwks.url("/jwks")) }) { edge in
                let now = Int64(Date().timeIntervalSince1970)
                let signature = try Self.v1a(key, id: "msg_v1a", timestamp: now, body: Self.body)
                let response = try await edge.post(id: "msg_v1a", timestamp: now, body: Self.body, signature: signature)
                #expect(response.status == 202)
                let forged = try Self.v1a(Curve25519.Signing.PrivateKey(), id: "msg_v1a_forged", timestamp: now, body: Self.body)
                #expect(try await edge.post(id: "msg_v1a_forged", timestamp: now, body: Self.body, signature: forged).status == 401)
            }
        }
    }

    @Test func newKeyIDInTheJWKSIsPickedUpByARefetch() async throws {
        let old = Curve25519.Signing.PrivateKey()
        let new = Curve25519.Signing.PrivateKey()
        let clock = TestClock()
        try await withSink { jwks in
            await jwks.respond(to: "/jwks", with: Self.jwks([(old.publicKey, "k1")]))
            try await EdgeHarness.with(routes: RoutesTemplate { EdgeHarness.routes(prefix: $0, jwksURL: jwks.url("/jwks")) }, clock: clock) { edge in
                let first = try Self.jwt(old, kid: "k1", claims: #"{"aud":"https://sluice.test/webhooks/gemini","exp":\#(clock.unixSeconds + 300)}"#)
                #expect(try await edge.post(timestamp: clock.unixSeconds, body: Self.body, signature: first).status == 202)

                // Google rotates: k2 appears. Refetches are limited to one a minute, so move the clock past that.
                await jwks.respond(to: "/jwks", with: Self.jwks([(old.publicKey, "k1"), (new.publicKey, "k2")]))
                clock.advance(by: 61)
                let rotated = try Self.jwt(new, kid: "k2", claims: #"{"aud":"https://sluice.test/webhooks/gemini","exp":\#(clock.unixSeconds + 300)}"#)
                let response = try await edge.post(timestamp: clock.unixSeconds, body: Self.body, signature: rotated)
                #expect(response.status == 202)
                #expect(await jwks.requests(to: "/jwks").count == 2)
            }
        }
    }

    /// The set is used for its max-age only: once it expires the next call fetches it again, so a
    /// key the issuer withdrew stops verifying even though every call still names a known key.
    @Test func anExpiredKeySetIsFetchedAgainAndAWithdrawnKeyStopsVerifying() async throws {
        let withdrawn = Curve25519.Signing.PrivateKey()
        let kept = Curve25519.Signing.PrivateKey()
        let clock = TestClock()
        try await withSink { jwks in
            await jwks.respond(to: "/jwks", with: Self.jwks([(withdrawn.publicKey, "k1"), (kept.publicKey, "k2")]))
            try await EdgeHarness.with(routes: RoutesTemplate { EdgeHarness.routes(prefix: $0, jwksURL: jwks.url("/jwks")) }, clock: clock) { edge in
                func post(_ key: Curve25519.Signing.PrivateKey) async throws -> Int {
                    let id = "msg_\(UUID().uuidString)"
                    return try await edge.post(
                        id: id, timestamp: clock.unixSeconds, body: Self.body,
                        signature: try Self.v1a(key, id: id, timestamp: clock.unixSeconds, body: Self.body)).status
                }
                var status = try await post(withdrawn)
                #expect(status == 202)
                await jwks.respond(to: "/jwks", with: Self.jwks([(kept.publicKey, "k2")]))
                // Within the set's max-age (600 s) the cached set is used as it is.
                clock.advance(by: 300)
                status = try await post(withdrawn)
                #expect(status == 202)
                #expect(await jwks.requests(to: "/jwks").count == 1)
                // Past it, the set is fetched again and k1 is gone.
                clock.advance(by: 301)
                status = try await post(withdrawn)
                #expect(status == 401)
                #expect(await jwks.requests(to: "/jwks").count == 2)
                status = try await post(kept)
                #expect(status == 202)
            }
        }
    }

    @Test func unknownKeyIDWithinTheRefetchIntervalIs401AndDoesNotRefetch() async throws {
        let key = Curve25519.Signing.PrivateKey()
        try await withSink { jwks in
            await jwks.respond(to: "/jwks", with: Self.jwks([(key.publicKey, "k1")]))
            try await EdgeHarness.with(routes: RoutesTemplate { EdgeHarness.routes(prefix: $0, jwksURL: jwks.url("/jwks")) }) { edge in
                let now = Int64(Date().timeIntervalSince1970)
                #expect(try await edge.post(timestamp: now, body: Self.body, signature: try Self.jwt(key, kid: "k1", claims: #"{"aud":"https://sluice.test/webhooks/gemini","exp":\#(now + 300)}"#)).status == 202)
                for _ in 0..<5 {
                    let unknown = try Self.jwt(Curve25519.Signing.PrivateKey(), kid: "kX", claims: #"{"aud":"https://sluice.test/webhooks/gemini","exp":\#(now + 300)}"#)
                    #expect(try await edge.post(timestamp: now, body: Self.body, signature: unknown).status == 401)
                }
                #expect(await jwks.requests(to: "/jwks").count == 1)
            }
        }
    }

    /// A key missing from a set that could not be refetched may be one the issuer published
    /// during the outage: the call is asked to retry (503), not refused for good (a 4xx, which a
    /// sender does not retry). Keys the stale set holds still verify.
    @Test func anUnknownKeyWhileTheKeySetCannotBeRefetchedIs503AndVerifiesOnceItCan() async throws {
        let known = Curve25519.Signing.PrivateKey()
        let published = Curve25519.Signing.PrivateKey()
        let clock = TestClock()
        try await withSink { jwks in
            await jwks.respond(to: "/jwks", with: Self.jwks([(known.publicKey, "k1")]))
            try await EdgeHarness.with(routes: RoutesTemplate { EdgeHarness.routes(prefix: $0, jwksURL: jwks.url("/jwks")) }, clock: clock) { edge in
                func post(_ key: Curve25519.Signing.PrivateKey, kid: String) async throws -> HTTPResponse {
                    let token = try Self.jwt(key, kid: kid, claims: #"{"aud":"https://sluice.test/webhooks/gemini","exp":\#(clock.unixSeconds + 300)}"#)
                    return try await edge.post(timestamp: clock.unixSeconds, body: Self.body, signature: token)
                }
                #expect(try await post(known, kid: "k1").status == 202)

                // The JWKS server fails; the cached set expires (max-age 600 s).
                await jwks.respond(to: "/jwks", with: SinkResponse(status: 500, headers: [], text: "down"))
                clock.advance(by: 601)
                #expect(try await post(known, kid: "k1").status == 202, "the stale set still verifies the keys it holds")
                let outage = try await post(published, kid: "k2")
                #expect(outage.status == 503, "\(outage.json)")
                #expect(outage.json["reason"] as? String == "jwks_unavailable")
                #expect(outage.header("retry-after") != nil)

                // Back, with the new key: the sender's retry verifies.
                await jwks.respond(to: "/jwks", with: Self.jwks([(known.publicKey, "k1"), (published.publicKey, "k2")]))
                clock.advance(by: 61)
                #expect(try await post(published, kid: "k2").status == 202)
                // And a key the current set lacks is refused again.
                #expect(try await post(Curve25519.Signing.PrivateKey(), kid: "kX").status == 401)
            }
        }
    }

    /// A key set is read whole up to 1 MiB (the client's 64 KiB default made a larger one fail for
    /// good, and a cut-off one that parsed was used); past that it is refused, and why a fetch
    /// failed is logged (a 503 jwks_unavailable said nothing of it).
    @Test func aLargeKeySetIsReadWholeAndWhyAFetchFailedIsLogged() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let padded = #"{"keys":[\#(Self.jwk(key.publicKey, kid: "k1"))],"note":"\#(String(repeating: "x", count: 100_000))"}"#
        let huge = #"{"keys":[\#(Self.jwk(key.publicKey, kid: "k1"))],"note":"\#(String(repeating: "x", count: 1_100_000))"}"#
        try await withSink { jwks in
            await jwks.respond(to: "/padded", with: SinkResponse(status: 200, text: padded))
            await jwks.respond(to: "/huge", with: SinkResponse(status: 200, text: huge))
            await jwks.respond(to: "/broken", with: .status(500))
            let extra = [("huge", jwks.url("/huge")), ("broken", jwks.url("/broken"))].map { name, url in
                "  \(name):\n    kind: standard-webhooks\n    verify: {jwks: {url: \"\(url)\", audience: \"\(EdgeHarness.audience)\"}}"
            }.joined(separator: "\n")
            let routes = RoutesTemplate { EdgeHarness.routes(prefix: $0, extraSources: extra, jwksURL: jwks.url("/padded")) }
            try await EdgeHarness.with(routes: routes) { edge in
                let now = Int64(Date().timeIntervalSince1970)
                let signature = try Self.v1a(key, id: "msg_padded", timestamp: now, body: Self.body)
                #expect(try await edge.post(id: "msg_padded", timestamp: now, body: Self.body, signature: signature).status == 202)
                for (source, why) in [("huge", "the document is larger than 1 MiB"), ("broken", "HTTP 500")] {
                    let id = "msg_\(source)"
                    let signed = try Self.v1a(key, id: id, timestamp: now, body: Self.body)
                    let response = try await edge.post(path: "/webhooks/\(source)", id: id, timestamp: now, body: Self.body, signature: signed)
                    #expect(response.status == 503 && response.json["reason"] as? String == "jwks_unavailable", "\(source)")
                    #expect(edge.logs.text.contains("cannot fetch the JWKS") && edge.logs.text.contains(why), "\(source): \(edge.logs.text)")
                }
            }
        }
    }

    @Test func jwksServerDownGives503ForJWKSOnlyRequestsButHMACStillWorks() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let closedPort = try #require(FreePort.pick())
        try await EdgeHarness.with(routes: RoutesTemplate { EdgeHarness.routes(prefix: $0, jwksURL: "http://127.0.0.1:\(closedPort)/jwks") }) { edge in
            let now = Int64(Date().timeIntervalSince1970)
            let signature = try Self.v1a(key, id: "msg_nokeys", timestamp: now, body: Self.body)
            let response = try await edge.post(id: "msg_nokeys", timestamp: now, body: Self.body, signature: signature)
            #expect(response.status == 503)
            #expect(response.header("retry-after") != nil)
            #expect(response.json["reason"] as? String == "jwks_unavailable")

            #expect(try await edge.post(id: "msg_hmac").status == 202)
            #expect(try await edge.ingressEvents().map(\.webhookID) == ["msg_hmac"])
        }
    }
}
