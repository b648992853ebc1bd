import SluiceCore
import Testing

/// The scalar notations, exercised through the loader as a user writes them.
@Suite("routes.yaml scalar notations")
struct RoutesScalarNotationTests {
    private func endpoint(_ settings: String) -> (EndpointConfig?, [String]) {
        let text = RoutesFixtures.minimal.replacingOccurrences(
            of: "        url: https://hooks.acme.example/gemini",
            with: "        url: https://hooks.acme.example/gemini\n        \(settings)"
        )
        let result = RoutesFixtures.load(text)
        return (result.config?.endpoint(EndpointRef(tenant: "acme", endpoint: "main")), result.errors.map(\.message))
    }

    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("15s", .seconds(15)), ("5m", .seconds(300)), ("2h", .seconds(7200)),
        ("7d", .seconds(604_800)), ("1h30m", .seconds(5400)), ("1m500ms", .milliseconds(60500)), ("0", .zero),
    ])
    func durationsAcceptEveryUnit(text: String, expected: Duration) {
        let (endpoint, _) = endpoint("circuit_breaker: {cooldown: \(text)}")
        #expect(endpoint?.circuitBreaker.cooldown == expected)
    }

    @Test(arguments: ["15", "5 m", "1.5s", "30m1h", "5mm", "s", "-5s", "1w"])
    func malformedDurationsAreErrors(text: String) {
        let (endpoint, errors) = endpoint("circuit_breaker: {cooldown: \"\(text)\"}")
        #expect(endpoint == nil)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("cooldown") == true)
    }

    @Test(arguments: [("50/s", 50, Duration.seconds(1)), ("1000/m", 1000, .seconds(60)), ("10/h", 10, .seconds(3600)), ("5/10s", 5, .seconds(10))])
    func rateLimitsAcceptCountPerPeriod(text: String, count: Int, period: Duration) {
        #expect(endpoint("rate_limit: \(text)").0?.rateLimit == RateLimit(count: count, period: period))
    }

    @Test(arguments: ["50", "0/s", "50/x", "/s", "50/0s", "-1/s"])
    func malformedRateLimitsAreErrors(text: String) {
        #expect(endpoint("rate_limit: \"\(text)\"").1.count == 1)
    }

    @Test(arguments: [("20%", 0.2), ("0%", 0.0), ("100%", 1.0), ("0.35", 0.35)])
    func jitterAcceptsPercentOrFraction(text: String, expected: Double) {
        #expect(endpoint("retry: {jitter: \"\(text)\"}").0?.retry.jitter == expected)
    }

    @Test(arguments: ["-5%", "101%", "1.5", "lots"])
    func jitterOutOfRangeIsAnError(text: String) {
        #expect(endpoint("retry: {jitter: \"\(text)\"}").1.count == 1)
    }

    @Test(arguments: [("1MiB", 1_048_576), ("512KiB", 524_288), ("65536", 65536), ("64B", 64)])
    func sizesAcceptBinaryUnitsAndBytes(text: String, expected: Int) throws {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "  gemini:\n", with: "  gemini:\n    max_body: \(text)\n")
        #expect(try #require(RoutesFixtures.load(text).config).sources["gemini"]?.maxBody == expected)
    }

    @Test(arguments: ["1MB", "1.5MiB", "big", "0"])
    func malformedSizesAreErrors(text: String) {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "  gemini:\n", with: "  gemini:\n    max_body: \(text)\n")
        #expect(RoutesFixtures.load(text).errors.count == 1)
    }

    @Test func validCIDRsAreKeptAndInvalidOnesReported() throws {
        let good = RoutesFixtures.load(RoutesFixtures.minimal + "\nnetwork: {allow_cidrs: [127.0.0.1/32, 10.0.0.0/8, \"::1/128\", \"fd00::/8\", \"::ffff:10.0.0.0/104\"]}\n")
        #expect(try #require(good.config).network.allowCIDRs == ["127.0.0.1/32", "10.0.0.0/8", "::1/128", "fd00::/8", "::ffff:10.0.0.0/104"])
        let bad = RoutesFixtures.load(RoutesFixtures.minimal + "\nnetwork: {allow_cidrs: [127.0.0.1, 300.0.0.0/8, \"::1/129\", \"1:2:3/64\"]}\n")
        #expect(bad.errors.count == 4)
    }
}
