import Foundation
import SluiceCore
import Testing

/// The commented routes.yaml at the repository root is documentation; it must stay valid.
@Suite("example routes.yaml")
struct ExampleRoutesFileTests {
    static var exampleText: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("routes.yaml"), encoding: .utf8)
        }
    }

    @Test func exampleLoadsWithoutDiagnostics() throws {
        let result = RoutesFixtures.load(try Self.exampleText)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        let config = try #require(result.config)
        #expect(config.network.allowCIDRs == ["127.0.0.1/32"])
        #expect(config.sources.keys.sorted() == ["gemini"])
        #expect(config.tenants.keys.sorted() == ["acme", "ops"])
        #expect(config.worker.visibilityTimeout == .seconds(60))
    }

    @Test func exampleChecksStructurallyWithoutSecrets() throws {
        let result = RoutesFixtures.load(try Self.exampleText, environment: [:], allowMissingSecrets: true)
        #expect(result.diagnostics.isEmpty)
        let strict = RoutesFixtures.load(try Self.exampleText, environment: [:])
        #expect(strict.errors.count == 3)
    }

    @Test func exampleRoutesBehaveAsTheirCommentsSay() throws {
        let matcher = RouteMatcher(config: try #require(RoutesFixtures.load(try Self.exampleText).config))
        func targets(_ channel: String?, _ type: String, _ body: String) throws -> [String] {
            matcher.match(source: "gemini", channel: channel, eventType: type, body: try JSONValue(parsing: body)).targets.map(\.description)
        }
        #expect(try targets("acme", "batch.succeeded", #"{"data":{"output_file_uri":"files/acme-1"}}"#) == ["acme/main", "acme/archive", "ops/audit"])
        #expect(try targets("acme", "batch.succeeded", #"{"metadata":{"test":true}}"#) == ["ops/audit"])
        #expect(try targets("globex", "batch.succeeded", "{}") == ["ops/audit"])
        #expect(try targets(nil, "", "{}") == ["ops/audit"])
    }
}
