import SluiceCore

/// Fixtures for the routes tests: valid secrets and a one-call loader.
enum RoutesFixtures {
    static let secretA = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let secretB = "whsec_ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM="
    /// Decodes to 10 bytes: below the 24-byte minimum.
    static let weakSecret = "whsec_AAECAwQFBgcICQ=="
    static let signingKey = "whsk_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="

    static let environment = [
        "GEMINI_WEBHOOK_SECRET": secretA,
        "ACME_WHSEC": secretA,
        "OPS_WHSEC": secretB,
    ]

    struct UnreadableFile: Error, CustomStringConvertible {
        var description: String { "no such file" }
    }

    static func load(
        _ text: String,
        environment: [String: String] = RoutesFixtures.environment,
        files: [String: String] = [:],
        allowMissingSecrets: Bool = false
    ) -> RoutesLoadResult {
        RoutesLoader.load(
            text: text,
            path: "routes.yaml",
            environment: environment,
            readSecretFile: { path in
                guard let contents = files[path] else { throw UnreadableFile() }
                return contents
            },
            allowMissingSecrets: allowMissingSecrets
        )
    }

    /// PEM-shaped contents for `tls` files (the loader checks the marker line, not the key).
    static let pemCertificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    static let pemKey = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"

    /// The diagnostics as `LINE:COL: message` strings (without the path), for compact expectations.
    static func located(_ result: RoutesLoadResult) -> [String] {
        result.diagnostics.map { "\($0.line):\($0.column): \($0.severity == .warning ? "warning: " : "")\($0.message)" }
    }

    /// A small valid file; tests splice extra YAML into it.
    static let minimal = """
        version: 1
        sources:
          gemini:
            verify:
              hmac:
                secrets: ["${env:GEMINI_WEBHOOK_SECRET}"]
        tenants:
          acme:
            signing:
              secrets: ["${env:ACME_WHSEC}"]
            endpoints:
              main:
                url: https://hooks.acme.example/gemini
        routes:
          - name: all
            to: [acme/main]
        """
}
