import SluiceCore
import Testing

@Suite("RouteMatcher")
struct RouteMatcherTests {
    static let file = """
        version: 1
        sources:
          gemini:
            verify: {hmac: {secrets: ["${env:GEMINI_WEBHOOK_SECRET}"]}}
          other:
            verify: {hmac: {secrets: ["${env:GEMINI_WEBHOOK_SECRET}"]}}
        tenants:
          acme:
            signing: {secrets: ["${env:ACME_WHSEC}"]}
            endpoints:
              main: {url: "https://acme.example/main"}
              archive: {url: "https://acme.example/archive"}
          ops:
            signing: {secrets: ["${env:OPS_WHSEC}"]}
            endpoints:
              audit: {url: "https://ops.example/audit"}
        routes:
          - name: acme-batches
            match:
              source: gemini
              channel: "acme*"
              events: ["batch.*"]
            to: [acme/main]
          - name: tests-only-to-ops
            match:
              where: {metadata.test: true}
            to: [ops/audit]
            final: true
          - name: by-channel
            match: {channel: "*"}
            to: ["{channel}/*"]
          - name: uris
            match:
              where:
                data.uri: {glob: "files/acme-*"}
                data.state: {in: [DONE, 3]}
                data.error: {exists: false}
            to: [acme/archive, acme/main]
          - name: everything
            match: {source: gemini}
            to: [ops/audit]
        """

    static let matcher: RouteMatcher = {
        let result = RoutesFixtures.load(file)
        precondition(result.diagnostics.isEmpty, "\(result.diagnostics)")
        return RouteMatcher(config: result.config!)
    }()

    private func refs(_ names: String...) -> [EndpointRef] { names.map { EndpointRef(parsing: $0)! } }

    /// `match`'s result, after checking that the router's `targets` decides the same.
    private func match(source: String = "gemini", channel: String? = nil, type: String = "", body: String = "{}") throws -> RouteMatchResult {
        let result = Self.matcher.match(source: source, channel: channel, eventType: type, body: try JSONValue(parsing: body))
        let targets = Self.matcher.targets(source: source, channel: channel, eventType: type, body: Array(body.utf8))
        #expect(targets == result.targets, "targets(…) and match(…) disagree for \(source)/\(channel ?? "-") \(type) \(body)")
        return result
    }

    @Test func everyMatchingRouteContributesAndEachEndpointAppearsOnce() throws {
        let result = try match(channel: "acme", type: "batch.succeeded", body: #"{"data":{"uri":"files/acme-1","state":"DONE"}}"#)
        #expect(result.matchedRoutes == ["acme-batches", "by-channel", "uris", "everything"])
        #expect(result.targets == refs("acme/main", "acme/archive", "ops/audit"))
        let uris = try #require(result.explanations.first { $0.route == "uris" })
        #expect(uris.addedTargets.isEmpty)
        #expect(uris.reasons.contains("acme/archive already receives the event from an earlier route"))
        #expect(uris.reasons.contains("acme/main already receives the event from an earlier route"))
        let byChannel = try #require(result.explanations.first { $0.route == "by-channel" })
        #expect(byChannel.addedTargets == refs("acme/archive"))
    }

    @Test func finalRouteStopsLaterRoutes() throws {
        let result = try match(channel: "acme", type: "batch.failed", body: #"{"metadata":{"test":true}}"#)
        #expect(result.matchedRoutes == ["acme-batches", "tests-only-to-ops"])
        #expect(result.targets == refs("acme/main", "ops/audit"))
        #expect(result.explanations.map(\.outcome) == [
            .matched, .matched,
            .skipped(afterFinalRoute: "tests-only-to-ops"), .skipped(afterFinalRoute: "tests-only-to-ops"), .skipped(afterFinalRoute: "tests-only-to-ops"),
        ])
    }

    @Test func finalRouteThatDoesNotMatchStopsNothing() throws {
        let result = try match(body: #"{"metadata":{"test":false}}"#)
        #expect(result.matchedRoutes == ["everything"])
    }

    @Test func eventGlobsSelectTypes() throws {
        #expect(try match(channel: "acme-eu", type: "batch.expired").targets.first == EndpointRef(tenant: "acme", endpoint: "main"))
        let video = try match(channel: "acme-eu", type: "video.generated")
        #expect(!video.matchedRoutes.contains("acme-batches"))
        let reasons = try #require(video.explanations.first?.reasons)
        #expect(reasons.first == "event type 'video.generated' matches none of 'batch.*'")
    }

    @Test func emptyEventTypeMatchesOnlyRoutesWithoutEvents() throws {
        let result = try match(channel: "acme", type: "")
        #expect(!result.matchedRoutes.contains("acme-batches"))
        #expect(result.matchedRoutes == ["by-channel", "everything"])
        #expect(result.explanations[0].reasons.contains("the event has no type, which only routes without 'events' match"))
    }

    @Test func channelTenantPicksTheTenantNamedByTheChannel() throws {
        #expect(try match(source: "other", channel: "ops").targets == refs("ops/audit"))
        #expect(try match(source: "other", channel: "acme").targets == refs("acme/archive", "acme/main"))
    }

    @Test func channelNamingNoTenantContributesNothing() throws {
        let result = try match(source: "other", channel: "globex")
        #expect(result.matchedRoutes == ["by-channel"])
        #expect(result.targets.isEmpty)
        #expect(result.isNoRoute)
        #expect(result.explanations.first { $0.route == "by-channel" }?.reasons.contains("{channel}/*: no tenant is named 'globex'") == true)
    }

    @Test func routeWithChannelGlobDoesNotMatchAnEventWithoutChannel() throws {
        let result = try match(type: "batch.succeeded")
        #expect(result.matchedRoutes == ["everything"])
    }

    @Test func sourceMustMatchWhenGiven() throws {
        #expect(try match(source: "other").isNoRoute)
    }

    @Test func whereConditionsMustAllHold() throws {
        let base = #"{"data":{"uri":"files/acme-9","state":3}}"#
        #expect(try match(source: "other", body: base).matchedRoutes == ["uris"])
        #expect(try match(source: "other", body: #"{"data":{"uri":"files/acme-9","state":"3"}}"#).isNoRoute)
        #expect(try match(source: "other", body: #"{"data":{"uri":"files/other","state":3}}"#).isNoRoute)
        #expect(try match(source: "other", body: #"{"data":{"uri":"files/acme-9","state":3,"error":null}}"#).isNoRoute)
        #expect(try match(source: "other", body: #"{"data":{"uri":7,"state":3}}"#).isNoRoute)
        let explanation = try match(source: "other", body: #"{"data":{"state":"RUNNING"}}"#).explanations.first { $0.route == "uris" }
        #expect(explanation?.outcome == .notMatched)
        #expect(explanation?.reasons == [
            "data.uri is absent (expected a string matching 'files/acme-*')",
            "data.state is \"RUNNING\", none of \"DONE\", 3",
            "data.error is absent (required absent)",
        ])
    }

    @Test func routerTargetsAgreeWithExplainedMatchOverEveryCombination() throws {
        let bodies = [
            "{}", #"{"metadata":{"test":true}}"#, #"{"metadata":{"test":"true"}}"#,
            #"{"data":{"uri":"files/acme-1","state":"DONE"}}"#, #"{"data":{"uri":"files/acme-1","state":3,"error":null}}"#,
            #"{"data":{"uri":["files/acme-1"],"state":3}}"#, "not json", "",
        ]
        for source in ["gemini", "other", "unknown"] {
            for channel in [nil, "acme", "acme-eu", "ops", "globex"] {
                for type in ["", "batch.succeeded", "video.generated"] {
                    for body in bodies {
                        let parsed = (try? JSONValue(parsing: body)) ?? .object([:])
                        let explained = Self.matcher.match(source: source, channel: channel, eventType: type, body: parsed).targets
                        #expect(
                            Self.matcher.targets(source: source, channel: channel, eventType: type, body: Array(body.utf8)) == explained,
                            "\(source)/\(channel ?? "-") \(type) \(body)")
                    }
                }
            }
        }
    }

    @Test func aBodyThatIsNotJSONStillRoutesByEverythingButWhere() {
        let targets = Self.matcher.targets(source: "gemini", channel: "acme", eventType: "batch.succeeded", body: Array("not json".utf8))
        #expect(targets == refs("acme/main", "acme/archive", "ops/audit"))
    }

    @Test func bareScalarMeansEqualsWithYAMLTyping() throws {
        let text = RoutesFixtures.minimal.replacingOccurrences(of: "  - name: all\n", with: """
              - name: all
                match:
                  where:
                    data.count: 5
                    data.flag: false
                    data.name: "5"
                    data.none: null
                    data.model: {equals: gemini-2.5}

            """)
        let result = RoutesFixtures.load(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let matcher = RouteMatcher(config: try #require(result.config))
        let body = try JSONValue(parsing: #"{"data":{"count":5.0,"flag":false,"name":"5","none":null,"model":"gemini-2.5"}}"#)
        #expect(matcher.match(source: "gemini", channel: nil, eventType: "x", body: body).matchedRoutes == ["all"])
        let other = try JSONValue(parsing: #"{"data":{"count":"5","flag":false,"name":"5","none":null,"model":"gemini-2.5"}}"#)
        #expect(matcher.match(source: "gemini", channel: nil, eventType: "x", body: other).isNoRoute)
    }

    @Test func tenantWildcardExpandsToAllEndpointsInNameOrder() throws {
        let text = Self.file.replacingOccurrences(of: "to: [ops/audit]\n        \"\"\"", with: "to: [ops/audit]")
            + "\n  - name: all-acme\n    to: [acme/*]\n"
        let result = RoutesFixtures.load(text)
        let matcher = RouteMatcher(config: try #require(result.config))
        #expect(matcher.match(source: "other", channel: nil, eventType: "", body: .object([:])).targets == refs("acme/archive", "acme/main"))
    }
}
