import SluiceCore
import Testing

@Suite("RouteGlob")
struct RouteGlobTests {
    @Test(arguments: [
        ("batch.*", "batch.succeeded", true),
        ("batch.*", "batch.", true),
        ("batch.*", "video.generated", false),
        ("*", "", true),
        ("*.failed", "batch.failed", true),
        ("*.failed", "batch.failed.x", false),
        ("a*b*c", "aXXbYYbZc", true),
        ("a*b*c", "aXXbYY", false),
        ("acme-?", "acme-1", true),
        ("acme-?", "acme-12", false),
        ("tenant-[abc]", "tenant-b", true),
        ("tenant-[abc]", "tenant-d", false),
        ("v[0-9]", "v7", true),
        ("v[!0-9]", "v7", false),
        ("v[^0-9]", "vx", true),
        ("[]]", "]", true),
        ("a\\*", "a*", true),
        ("a\\*", "ab", false),
        ("files/acme-*", "files/acme-123", true),
        ("exact", "exact", true),
        ("exact", "Exact", false),
    ])
    func globsMatchLikeAShell(pattern: String, text: String, expected: Bool) throws {
        #expect(try RouteGlob(pattern).matches(text) == expected)
    }

    @Test(arguments: ["acme-[abc", "[", "x\\", "[z-a]", "[!]"])
    func malformedGlobsAreRejected(pattern: String) {
        #expect(throws: RouteGlobError.self) { try RouteGlob(pattern) }
    }

    @Test func literalPatternsAreRecognised() throws {
        #expect(try RouteGlob("acme").isLiteral)
        #expect(try !RouteGlob("acme-*").isLiteral)
    }
}
