import SluiceTesting
import Testing

@testable import SluiceCore

@Suite struct OutboundRequestBuilderTests {
    static func secret(_ seed: UInt64) -> WebhookSecret {
        var rng = SeededRandom(seed: seed)
        return WebhookSecret.generate(using: &rng)
    }

    let now: Int64 = 1_700_000_100
    let body: [UInt8] = Array(#"{"type":"batch.succeeded","data":{"id":"b1"}}"#.utf8) + [0x20]
    var delivery: Delivery {
        var delivery = DeliveryFieldsTests.sample(body: body)
        delivery.attempt = 2
        return delivery
    }
    let endpoint = EndpointConfig(
        tenant: "acme",
        name: "main",
        url: "https://hooks.acme.example/gemini",
        headers: [
            EndpointHeader(name: "X-Platform-Tenant", value: "acme"),
            EndpointHeader(name: "Webhook-Signature", value: "v1,forged"),
            EndpointHeader(name: "X-Sluice-Attempt", value: "99"),
            EndpointHeader(name: "Content-Type", value: "text/plain"),
        ]
    )

    func verify(_ request: OutboundRequest, with secrets: [WebhookSecret], keySet: JSONWebKeySet? = nil) -> WebhookVerification {
        WebhookVerifier(hmacSecrets: secrets, toleranceSeconds: 300, audience: nil).verify(
            id: request.header("webhook-id") ?? "",
            timestamp: request.header("webhook-timestamp") ?? "",
            signatureHeader: request.header("webhook-signature") ?? "",
            body: request.body,
            now: now,
            keySet: keySet,
            jwksConfigured: keySet != nil
        )
    }

    @Test func everyTenantSecretVerifiesAndAnotherTenantsDoesNot() {
        let (first, second, other) = (Self.secret(1), Self.secret(2), Self.secret(3))
        let tenant = TenantConfig(name: "acme", signingSecrets: [first, second])
        let request = OutboundRequestBuilder(version: "1.2.3").request(for: delivery, endpoint: endpoint, tenant: tenant, nowSeconds: now)
        #expect(verify(request, with: [first]) == .verified(.hmac))
        #expect(verify(request, with: [second]) == .verified(.hmac))
        #expect(verify(request, with: [other]) == .rejected(.signatureMismatch))
    }

    @Test func twoSecretsGiveTwoV1EntriesAndEachKeyAV1aEntry() throws {
        var rng = SeededRandom(seed: 11)
        let key = Ed25519SigningKey.generate(using: &rng)
        let tenant = TenantConfig(name: "acme", signingSecrets: [Self.secret(1), Self.secret(2)], ed25519Keys: [key])
        let request = OutboundRequestBuilder(version: "1.2.3").request(for: delivery, endpoint: endpoint, tenant: tenant, nowSeconds: now)
        let entries = (request.header("webhook-signature") ?? "").split(separator: " ")
        #expect(entries.filter { $0.hasPrefix("v1,") }.count == 2)
        #expect(entries.filter { $0.hasPrefix("v1a,") }.count == 1)
        let keySet = try JSONWebKeySet(json: Array(#"{"keys":[\#(key.publicKey.jsonWebKey())]}"#.utf8))
        #expect(verify(request, with: [Self.secret(3)], keySet: keySet) == .verified(.ed25519))
    }

    @Test func bodyAndIdentityHeadersAreCarriedOver() {
        let tenant = TenantConfig(name: "acme", signingSecrets: [Self.secret(1)])
        let request = OutboundRequestBuilder(version: "1.2.3").request(for: delivery, endpoint: endpoint, tenant: tenant, nowSeconds: now)
        #expect(request.url == "https://hooks.acme.example/gemini")
        #expect(request.body == body)
        #expect(request.header("content-type") == "application/json")
        #expect(request.header("webhook-id") == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W")
        #expect(request.header("webhook-timestamp") == "1700000100")
        #expect(request.header("user-agent") == "sluice/1.2.3")
        #expect(request.header("x-sluice-attempt") == "2")
        #expect(request.header("x-sluice-event-type") == "batch.succeeded")
        #expect(request.header("x-sluice-source") == "gemini")
        #expect(request.header("x-platform-tenant") == "acme")
    }

    @Test func staticHeadersCannotOverrideSignatureOrSluiceHeaders() {
        let tenant = TenantConfig(name: "acme", signingSecrets: [Self.secret(1)])
        let request = OutboundRequestBuilder(version: "1.2.3").request(for: delivery, endpoint: endpoint, tenant: tenant, nowSeconds: now)
        for name in ["webhook-signature", "x-sluice-attempt", "content-type"] {
            #expect(request.headers.filter { $0.name.lowercased() == name }.count == 1)
        }
        #expect(request.header("webhook-signature")?.hasPrefix("v1,") == true)
        #expect(request.header("webhook-signature") != "v1,forged")
        #expect(request.header("x-sluice-attempt") == "2")
        #expect(request.header("content-type") == "application/json")
    }

    @Test func staticUserAgentReplacesOurs() {
        var custom = endpoint
        custom.headers = [EndpointHeader(name: "User-Agent", value: "acme-gateway")]
        let tenant = TenantConfig(name: "acme", signingSecrets: [Self.secret(1)])
        let request = OutboundRequestBuilder(version: "1.2.3").request(for: delivery, endpoint: custom, tenant: tenant, nowSeconds: now)
        #expect(request.headers.filter { $0.name.lowercased() == "user-agent" }.map(\.value) == ["acme-gateway"])
    }

    /// The request for `delivery` with its event type set to `eventType` (from an untrusted body).
    private func request(withEventType eventType: String) -> OutboundRequest {
        var hostile = delivery
        hostile.event.eventType = eventType
        let tenant = TenantConfig(name: "acme", signingSecrets: [Self.secret(1)])
        return OutboundRequestBuilder(version: "1.2.3").request(for: hostile, endpoint: endpoint, tenant: tenant, nowSeconds: now)
    }

    @Test func eventTypeCannotInjectHeaderLines() {
        let request = request(withEventType: "batch.done\r\nX-Injected: 1")
        #expect(request.header("x-sluice-event-type") == "batch.doneX-Injected: 1")
        #expect(request.headers.allSatisfy { !$0.value.contains("\r") && !$0.value.contains("\n") })
    }

    /// Control characters in a signed event's type would make strict receivers refuse every
    /// attempt (and open the endpoint's circuit): they are dropped, tabs and non-ASCII kept.
    @Test func eventTypeControlCharactersAreDropped() {
        #expect(request(withEventType: "bad\u{01}ty\u{7F}pe\u{0B}\u{0C}\tü").header("x-sluice-event-type") == "badtype\tü")
    }
}
