import SluiceCore
import Testing

@Suite("routes.yaml secrets")
struct RoutesLoaderSecretsTests {
    @Test func envAndFileReferencesExpandToTypedSecrets() throws {
        let text = RoutesFixtures.minimal.replacingOccurrences(
            of: #"secrets: ["${env:ACME_WHSEC}"]"#,
            with: #"secrets: ["${env:ACME_WHSEC}", "${file:/run/secrets/acme}"]"# + "\n      ed25519_keys: [\"${file:/run/secrets/acme-key}\"]"
        )
        let result = RoutesFixtures.load(text, files: [
            "/run/secrets/acme": RoutesFixtures.secretB + "\n",
            "/run/secrets/acme-key": RoutesFixtures.signingKey,
        ])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let tenant = try #require(result.config?.tenants["acme"])
        #expect(tenant.signingSecrets == [
            try WebhookSecret(parsing: RoutesFixtures.secretA),
            try WebhookSecret(parsing: RoutesFixtures.secretB),
        ])
        #expect(tenant.ed25519Keys.map(\.encoded) == [RoutesFixtures.signingKey])
    }

    @Test func missingEnvironmentVariableIsAnErrorAtTheSecret() {
        var environment = RoutesFixtures.environment
        environment["ACME_WHSEC"] = nil
        #expect(RoutesFixtures.located(RoutesFixtures.load(RoutesFixtures.minimal, environment: environment)) == [
            "10:17: environment variable 'ACME_WHSEC' referenced by secret 1 of 'signing' of tenant 'acme' is not set",
        ])
    }

    @Test func unreadableSecretFileIsAnErrorAtTheSecret() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "${env:ACME_WHSEC}", with: "${file:/missing}")
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == [
            "10:17: cannot read secret file '/missing' referenced by secret 1 of 'signing' of tenant 'acme': no such file",
        ])
    }

    /// Unresolved references are marked as such, with the source whose block names them
    /// (`sluice doctor` needs only the diagnosed source's secrets); other errors are not.
    @Test func unresolvedSecretsAreMarkedWithTheSourceThatNamesThem() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "url: https://hooks.acme.example/gemini", with: "url: nope")
        let result = RoutesFixtures.load(text, environment: [:])
        let marks = result.diagnostics.map { ($0.message.prefix(32), $0.unresolvedSecret) }
        #expect(result.diagnostics.count == 3, "\(result.diagnostics)")
        #expect(result.diagnostics.filter { $0.unresolvedSecret == .init(source: "gemini") }.map(\.message) == [
            "environment variable 'GEMINI_WEBHOOK_SECRET' referenced by secret 1 of 'verify.hmac' of source 'gemini' is not set",
        ], "\(marks)")
        #expect(result.diagnostics.filter { $0.unresolvedSecret == .init(source: nil) }.map(\.message) == [
            "environment variable 'ACME_WHSEC' referenced by secret 1 of 'signing' of tenant 'acme' is not set",
        ], "\(marks)")
        #expect(result.diagnostics.filter { $0.unresolvedSecret == nil }.count == 1, "\(marks)")
    }

    @Test func unknownReferenceSchemeIsAnError() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "${env:ACME_WHSEC}", with: "${vault:acme}")
        #expect(RoutesFixtures.located(RoutesFixtures.load(text)) == [
            "10:17: unknown reference '${vault:…}' in secret 1 of 'signing' of tenant 'acme'; use ${env:NAME} or ${file:/path}",
        ])
    }

    @Test func allowMissingSecretsChecksStructureWithStandIns() throws {
        let text = RoutesFixtures.minimal.replacingOccurrences(
            of: #"secrets: ["${env:ACME_WHSEC}"]"#,
            with: #"secrets: ["${env:ACME_WHSEC}", "${file:/missing}"]"# + "\n      ed25519_keys: [\"${env:ACME_KEY}\"]"
        )
        let result = RoutesFixtures.load(text, environment: [:], allowMissingSecrets: true)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let config = try #require(result.config)
        #expect(config.tenants["acme"]?.signingSecrets.count == 2)
        #expect(config.tenants["acme"]?.ed25519Keys.count == 1)
        #expect(config.sources["gemini"]?.hmacSecrets.count == 1)
    }

    @Test func allowMissingSecretsStillReportsStructuralErrors() {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "to: [acme/main]", with: "to: [acme/nope]")
        let result = RoutesFixtures.load(text, environment: [:], allowMissingSecrets: true)
        #expect(RoutesFixtures.located(result) == ["16:10: unknown endpoint 'nope' of tenant 'acme' in target 'acme/nope' of route 'all'"])
    }

    @Test func allowMissingSecretsStillRejectsAWeakSecretThatIsPresent() {
        let result = RoutesFixtures.load(
            RoutesFixtures.minimal,
            environment: ["ACME_WHSEC": RoutesFixtures.weakSecret],
            allowMissingSecrets: true
        )
        #expect(result.errors.map { "\($0.line):\($0.column)" } == ["10:17"])
        #expect(result.errors.first?.message.contains("fewer than the minimum 24") == true)
    }

    @Test func secretValuesNeverAppearInDiagnostics() {
        let leaky = "whsec_c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw=="
        let notBase64 = "whsec_this is !! not base64 at all"
        let text = RoutesFixtures.minimal
            .replacingOccurrences(of: "${env:GEMINI_WEBHOOK_SECRET}", with: leaky + "${env:X}")
            .replacingOccurrences(of: "${env:ACME_WHSEC}", with: "${env:BAD}")
        let result = RoutesFixtures.load(text, environment: ["X": "Zm9v", "BAD": notBase64])
        #expect(result.errors.count == 2)
        for diagnostic in result.diagnostics {
            #expect(!diagnostic.description.contains("c2VjcmV0"))
            #expect(!diagnostic.description.contains("not base64 at all"))
            #expect(!diagnostic.description.contains("Zm9v"))
        }
    }

    @Test func headerValuesExpandReferencesToo() throws {
        let text = RoutesFixtures.minimal.replacingOccurrences(
            of: "        url: https://hooks.acme.example/gemini",
            with: "        url: https://hooks.acme.example/gemini\n        headers: {Authorization: \"Bearer ${file:/token}\"}"
        )
        let config = try #require(RoutesFixtures.load(text, files: ["/token": "abc\n"]).config)
        #expect(config.endpoint(EndpointRef(tenant: "acme", endpoint: "main"))?.headers == [EndpointHeader(name: "Authorization", value: "Bearer abc")])
    }
}
