import Foundation
import Testing

/// The image recipe. No container engine runs here, so the image is not built; the recipe's
/// shape is checked, and hadolint (installed by scripts/test-setup) lints it.
@Suite struct DockerfileTests {
    private static let dockerfile = RepoTool.root.appendingPathComponent("Dockerfile")

    @Test func imageIsMultiStageNonRootWithSluiceAsEntrypoint() async throws {
        let text = try String(contentsOf: Self.dockerfile, encoding: .utf8)
        let instructions = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("#") && !$0.isEmpty }
        let stages = instructions.filter { $0.hasPrefix("FROM ") }
        #expect(stages.count == 2, "\(stages)")
        #expect(stages.first?.contains("swift:") == true)
        #expect(stages.last?.contains("-slim") == true)
        #expect(text.contains("--static-swift-stdlib") && text.contains("--product sluice"))
        for package in ["libhiredis0.14", "libcurl4", "libjemalloc2", "ca-certificates"] {
            #expect(text.contains(package), "runtime lacks \(package)")
        }
        let user = try #require(instructions.last { $0.hasPrefix("USER ") })
        #expect(!user.contains("root") && user != "USER 0")
        #expect(instructions.contains(#"ENTRYPOINT ["sluice"]"#))
    }

    @Test func hadolintFindsNothing() async throws {
        let result = try await RepoTool.run(RepoTool.venvProgram("hadolint"), [Self.dockerfile.path])
        #expect(result.status == 0, "\(result.output)")
    }
}
