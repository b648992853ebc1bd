import SluiceCore
import Testing

@Suite("routes.yaml defaults")
struct RoutesLoaderDefaultsTests {
    @Test func minimalFileLoadsWithSpecDefaults() throws {
        let result = RoutesFixtures.load(RoutesFixtures.minimal)
        #expect(result.diagnostics.isEmpty)
        let config = try #require(result.config)
        #expect(config.version == 1)
        #expect(config.redisPrefix == "sluice")
        #expect(config.network == NetworkPolicyConfig(allowPrivate: false, allowCIDRs: []))

        let source = try #require(config.sources["gemini"])
        #expect(source.kind == .gemini)
        #expect(source.jwks == JWKSConfig(url: "https://generativelanguage.googleapis.com/.well-known/jwks.json"))
        #expect(source.hmacSecrets.count == 1)
        #expect(source.tolerance == .seconds(300))
        #expect(source.maxBody == 1_048_576)
        #expect(source.dedupeWindow == .seconds(72 * 3600))

        let endpoint = try #require(config.endpoint(EndpointRef(tenant: "acme", endpoint: "main")))
        #expect(endpoint.url == "https://hooks.acme.example/gemini")
        #expect(endpoint.timeout == .seconds(15))
        #expect(endpoint.maxInFlight == 16)
        #expect(endpoint.rateLimit == nil)
        #expect(endpoint.retry.schedule == [.seconds(0), .seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18000), .seconds(36000), .seconds(36000)])
        #expect(endpoint.retry.jitter == 0.2)
        #expect(endpoint.headers.isEmpty)
        #expect(endpoint.tls == TLSConfig())
        #expect(endpoint.circuitBreaker == CircuitBreakerConfig(failures: 20, cooldown: .seconds(30)))

        let route = try #require(config.routes.first)
        #expect(route.match == RouteMatch())
        #expect(route.final == false)
        #expect(route.to == [.endpoint(EndpointRef(tenant: "acme", endpoint: "main"))])

        #expect(config.worker.visibilityTimeout == .seconds(45))
        #expect(config.worker.attemptLogRetention == .seconds(7 * 86400))
    }

    @Test func standardWebhooksSourceHasNoDefaultJWKS() throws {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "  gemini:\n    verify:", with: "  gemini:\n    kind: standard-webhooks\n    verify:")
        let config = try #require(RoutesFixtures.load(text).config)
        #expect(config.sources["gemini"]?.kind == .standardWebhooks)
        #expect(config.sources["gemini"]?.jwks == nil)
    }

    @Test func everyEndpointSettingIsRead() throws {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "        url: https://hooks.acme.example/gemini", with: """
                    url: https://hooks.acme.example/gemini
                    timeout: 1m30s
                    max_in_flight: 4
                    rate_limit: 1000/m
                    retry: {schedule: [0s, 250ms, 1h], jitter: 0.5}
                    headers: {X-Platform-Tenant: acme, Authorization: "Bearer ${env:ACME_TOKEN}"}
                    tls: {ca_file: /etc/ca.pem, client_cert_file: "", client_key_file: ""}
                    circuit_breaker: {failures: 3, cooldown: 2m}
            """)
        var environment = RoutesFixtures.environment
        environment["ACME_TOKEN"] = "t0ken"
        let result = RoutesFixtures.load(text, environment: environment, files: ["/etc/ca.pem": RoutesFixtures.pemCertificate])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let endpoint = try #require(result.config?.endpoint(EndpointRef(tenant: "acme", endpoint: "main")))
        #expect(endpoint.timeout == .seconds(90))
        #expect(endpoint.maxInFlight == 4)
        #expect(endpoint.rateLimit == RateLimit(count: 1000, period: .seconds(60)))
        #expect(endpoint.retry == RetryConfig(schedule: [.zero, .milliseconds(250), .seconds(3600)], jitter: 0.5))
        #expect(endpoint.headers == [EndpointHeader(name: "X-Platform-Tenant", value: "acme"), EndpointHeader(name: "Authorization", value: "Bearer t0ken")])
        #expect(endpoint.tls == TLSConfig(caFile: "/etc/ca.pem"))
        #expect(endpoint.circuitBreaker == CircuitBreakerConfig(failures: 3, cooldown: .seconds(120)))
        #expect(result.config?.worker.visibilityTimeout == .seconds(120))
        #expect(result.config?.longestEndpointTimeout == .seconds(90))
    }

    @Test func explicitVisibilityTimeoutAboveLongestTimeoutIsKept() throws {
        let config = try #require(RoutesFixtures.load(RoutesFixtures.minimal + "\nworker: {visibility_timeout: 2m, attempt_log_retention: 1d}").config)
        #expect(config.worker == WorkerConfig(visibilityTimeout: .seconds(120), attemptLogRetention: .seconds(86400)))
    }
}
