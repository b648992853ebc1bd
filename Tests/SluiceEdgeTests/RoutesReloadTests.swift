import Foundation
import SluiceTesting
import Testing

/// routes.yaml changes apply without a restart; a broken file never replaces a working one.
@Suite struct RoutesReloadTests {
    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func validChangeIsAppliedWithoutRestart() async throws {
        try await EdgeHarness.with { edge in
            #expect(try await edge.post(path: "/webhooks/partner").status == 404)
            let original = try String(contentsOfFile: edge.routesPath, encoding: .utf8)
            let extra = """
                  partner:
                    kind: standard-webhooks
                    verify:
                      hmac: {secrets: ["\(EdgeHarness.secret)"]}
                """
            try Self.write(original.replacingOccurrences(of: "sources:\n", with: "sources:\n" + extra + "\n"), to: edge.routesPath)
            try await poll(until: { try await edge.post(path: "/webhooks/partner").status == 202 }, "the new source is served")
        }
    }

    @Test func aSecretFileThatAppearsLaterOrRotatesIsPickedUpWithoutTouchingRoutes() async throws {
        try await EdgeHarness.with { edge in
            // The kubelet updated the ConfigMap before the Secret it names: the file cannot load yet.
            let dir = URL(fileURLWithPath: edge.routesPath).deletingLastPathComponent()
            let secretPath = dir.appendingPathComponent("partner-secret").path
            let original = try String(contentsOfFile: edge.routesPath, encoding: .utf8)
            let extra = """
                  partner:
                    kind: standard-webhooks
                    verify:
                      hmac: {secrets: ["${file:\(secretPath)}"]}
                """
            try Self.write(original.replacingOccurrences(of: "sources:\n", with: "sources:\n" + extra + "\n"), to: edge.routesPath)
            try await poll(
                until: { edge.exporterText().contains(#"sluice_config_reloads_total{result="failure"} 1"#) },
                "the load without its secret fails")
            #expect(try await edge.post(path: "/webhooks/partner").status == 404)

            // The Secret arrives; routes.yaml is not touched again.
            let first = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
            try Self.write(first + "\n", to: secretPath)
            try await poll(
                until: { try await edge.post(path: "/webhooks/partner", secret: first).status == 202 },
                "the failed load is retried once the secret file exists")

            // The Secret rotates: the new value verifies, the old one no longer does.
            let second = "whsec_HkGuxnP4EgFBmZzxx48faJEytrEmXOl5"
            try Self.write(second + "\n", to: secretPath)
            try await poll(
                until: { try await edge.post(path: "/webhooks/partner", secret: second).status == 202 },
                "the rotated secret is picked up")
            #expect(try await edge.post(path: "/webhooks/partner", secret: first).status == 401)
            // Retrying the failed load on every poll counted it once.
            #expect(edge.exporterText().contains(#"sluice_config_reloads_total{result="failure"} 1"#))
        }
    }

    @Test func invalidFileKeepsTheOldConfigAndCountsTheFailure() async throws {
        try await EdgeHarness.with { edge in
            #expect(edge.exporterText().contains("sluice_config_last_reload_successful 1"))
            try Self.write("version: 1\nsources:\n  gemini:\n    kind: carrier-pigeon\n", to: edge.routesPath)
            try await poll(
                until: { edge.exporterText().contains(#"sluice_config_reloads_total{result="failure"} 1"#) },
                "the failed reload is counted")
            // While the refused file stays, the gauge says so (the counter moved once).
            #expect(edge.exporterText().contains("sluice_config_last_reload_successful 0"), "\(edge.exporterText())")
            #expect(try await edge.post().status == 202)
            #expect(try await edge.post(path: "/webhooks/gemini/acme").status == 202)
            #expect(try await edge.ingressLength() == 2)
        }
    }

    @Test func configMapStyleSymlinkSwapIsNoticed() async throws {
        try await EdgeHarness.with { edge in
            // Kubernetes mounts routes.yaml as a symlink into a ..data directory that it swaps atomically.
            let dir = URL(fileURLWithPath: edge.routesPath).deletingLastPathComponent()
            let original = try String(contentsOfFile: edge.routesPath, encoding: .utf8)
            let v1 = dir.appendingPathComponent("..v1")
            try FileManager.default.createDirectory(at: v1, withIntermediateDirectories: true)
            try Self.write(original, to: v1.appendingPathComponent("routes.yaml").path)
            try FileManager.default.removeItem(atPath: edge.routesPath)
            try FileManager.default.createSymbolicLink(atPath: edge.routesPath, withDestinationPath: "..v1/routes.yaml")
            #expect(try await edge.post().status == 202)

            let v2 = dir.appendingPathComponent("..v2")
            try FileManager.default.createDirectory(at: v2, withIntermediateDirectories: true)
            let extra = """
                  renamed:
                    kind: standard-webhooks
                    verify:
                      hmac: {secrets: ["\(EdgeHarness.secret)"]}
                """
            let swapped = original.replacingOccurrences(of: "sources:\n", with: "sources:\n" + extra + "\n")
            try Self.write(swapped, to: v2.appendingPathComponent("routes.yaml").path)
            let tmpLink = dir.appendingPathComponent("routes.yaml.tmp").path
            try FileManager.default.createSymbolicLink(atPath: tmpLink, withDestinationPath: "..v2/routes.yaml")
            #expect(rename(tmpLink, edge.routesPath) == 0)
            try await poll(until: { try await edge.post(path: "/webhooks/renamed").status == 202 }, "the swapped file is applied")
            #expect(try await edge.post(path: "/webhooks/gemini").status == 202)
        }
    }
}
