import Foundation
import SluiceRedis
import SluiceTesting
import Testing

/// docs/ is the reference for the product's behaviour. These checks tie it to the code, so that a
/// metric, a command, a flag or a routes.yaml key cannot appear without being documented, and
/// keep the repository free of pointers to documents outside it: a clone must stand alone.
///
/// What is documented is enumerated from the code itself — the metric registrations in Sources/,
/// the built `sluice` binary's own help, and the keys the routes loader names when it refuses an
/// unknown one — never from a list kept beside the documents.
@Suite struct ReferenceDocsTests {
    // MARK: - Metrics

    @Test func everyRegisteredMetricIsInTheMetricsReference() throws {
        let registered = try Self.registeredMetrics()
        let reference = try Self.read("docs/metrics.md")
        let rows = reference.split(separator: "\n").map(String.init)
        for metric in registered.values.sorted(by: { $0.name < $1.name }) {
            guard let row = rows.first(where: { $0.hasPrefix("| `\(metric.name)` |") }) else {
                Issue.record("docs/metrics.md has no table row for \(metric.name), registered in \(metric.files.sorted())")
                continue
            }
            #expect(row.contains("| \(metric.type) |"), "docs/metrics.md: \(metric.name) is a \(metric.type): \(row)")
            for label in metric.labels.sorted() {
                #expect(row.contains("`\(label)`"), "docs/metrics.md: \(metric.name) has the label \(label): \(row)")
            }
        }
        // The monitoring examples' check uses its own list: it must be the same set.
        #expect(Set(registered.keys) == PromQLNames.sluiceMetrics, "PromQLNames.sluiceMetrics differs from the metrics Sources/ registers")
    }

    /// A metric as the code registers it; several registrations of one name merge their labels.
    struct Metric {
        var name: String
        var type: String
        var labels: Set<String>
        var files: Set<String>
    }

    /// Every `Counter(label: "…", dimensions: [("name", …), …])`-style registration in Sources/.
    ///
    /// Every `"sluice_…"` string literal in Sources/ must be one of them, so a metric registered
    /// some other way (its name in a variable) fails here instead of slipping past the scan.
    static func registeredMetrics() throws -> [String: Metric] {
        let registration = #/\b(Counter|FloatingPointCounter|Gauge|Meter|Recorder|Timer)\(\s*label:\s*"([^"]+)"(?:\s*,\s*dimensions:\s*\[([^\]]*)\])?/#
        let types = ["Counter": "counter", "FloatingPointCounter": "counter", "Gauge": "gauge", "Meter": "gauge", "Recorder": "histogram", "Timer": "histogram"]
        var metrics: [String: Metric] = [:]
        var literals: [String: String] = [:]
        for file in try swiftFiles(under: "Sources") {
            let text = try String(contentsOf: file, encoding: .utf8)
            let relative = String(file.path.dropFirst(RepoTool.root.path.count + 1))
            for match in text.matches(of: registration) {
                let name = String(match.output.2)
                let labels = match.output.3.map { dimensions in
                    Set(dimensions.matches(of: #/\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*,/#).map { String($0.output.1) })
                } ?? []
                var metric = metrics[name] ?? Metric(name: name, type: types[String(match.output.1)] ?? "?", labels: [], files: [])
                metric.labels.formUnion(labels)
                metric.files.insert(relative)
                metrics[name] = metric
            }
            for match in text.matches(of: #/"(sluice_[a-z0-9_]+)"/#) {
                literals[String(match.output.1)] = relative
            }
        }
        try #require(metrics["sluice_ingest_total"] != nil, "the registration scan found no sluice_ingest_total; it no longer recognises how metrics are made")
        for (literal, file) in literals.sorted(by: { $0.key < $1.key }) where metrics[literal] == nil {
            Issue.record("\(file) names \(literal), which the registration scan did not find as a metric; extend the scan")
        }
        return metrics
    }

    // MARK: - Command line

    @Test func everyCommandFlagAndExitCodeIsInTheCLIReference() async throws {
        let binary = try Self.sluiceBinary()
        let reference = try Self.read("docs/cli.md")
        let commonFlags = Self.section(titled: "Common flags", in: reference)
        try #require(commonFlags != nil, "docs/cli.md has no '## Common flags' section")

        var pending: [[String]] = [[]]
        var leaves = 0
        while let path = pending.popLast() {
            let result = try await Self.run(binary, ["help"] + path)
            let command = (["sluice"] + path).joined(separator: " ")
            try #require(result.status == 0, "\(command) --help failed:\n\(result.text)")
            let subcommands = Self.subcommands(inHelp: result.text)
            if path.isEmpty { try #require(!subcommands.isEmpty, "sluice help lists no subcommands:\n\(result.text)") }
            if !subcommands.isEmpty {
                pending += subcommands.map { path + [$0] }
                continue
            }
            leaves += 1
            guard let section = Self.section(titled: command, in: reference) else {
                Issue.record("docs/cli.md has no '## \(command)' section")
                continue
            }
            for flag in Self.usageFlags(inHelp: result.text) where !section.contains(flag) && !(commonFlags ?? "").contains(flag) {
                Issue.record("docs/cli.md documents neither under '## \(command)' nor under 'Common flags' the flag \(flag)")
            }
        }
        #expect(leaves > 1)

        // The exit codes the binary announces, each a row of the reference's table.
        let rootHelp = try await Self.run(binary, ["help"]).text
        let announced = try #require(rootHelp.firstMatch(of: #/Exit codes: ([^\n]+)/#), "sluice help names no exit codes")
        let codes = announced.output.1.matches(of: #/\b(\d+) /#).map { String($0.output.1) }
        #expect(!codes.isEmpty)
        for code in codes {
            #expect(reference.contains("| `\(code)` |"), "docs/cli.md's exit code table has no row for \(code)")
        }
    }

    /// The names under `SUBCOMMANDS:` in ArgumentParser's help.
    static func subcommands(inHelp help: String) -> [String] {
        guard let start = help.range(of: "\nSUBCOMMANDS:\n") else { return [] }
        var names: [String] = []
        for line in help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  See '") { break }
            if let match = line.wholeMatch(of: #/  ([a-z][a-z0-9-]*)(?: \(default\))?(?:\s{2,}.*)?/#) {
                names.append(String(match.output.1))
            }
        }
        return names
    }

    /// The `--flags` of the help's USAGE line (every option but --help and --version).
    static func usageFlags(inHelp help: String) -> [String] {
        guard let usage = help.firstMatch(of: #/USAGE: ([^\n]+)/#) else { return [] }
        var seen: [String] = []
        for match in usage.output.1.matches(of: #/--[a-z0-9][a-z0-9-]*/#) where !seen.contains(String(match.output)) {
            seen.append(String(match.output))
        }
        return seen
    }

    // MARK: - routes.yaml

    /// A file with an unknown key in every block the loader reads; the loader answers each with
    /// `expected one of: …`, which is how the keys it accepts are found.
    static let unknownKeyProbe = """
        version: 1
        zzzzzzzzzz: 1
        redis: {zzzzzzzzzz: 1}
        network: {zzzzzzzzzz: 1}
        sources:
          g:
            zzzzzzzzzz: 1
            verify:
              zzzzzzzzzz: 1
              hmac: {zzzzzzzzzz: 1}
              jwks: {zzzzzzzzzz: 1}
        tenants:
          t:
            zzzzzzzzzz: 1
            signing: {zzzzzzzzzz: 1}
            endpoints:
              e:
                url: https://example.com/hook
                zzzzzzzzzz: 1
                retry: {zzzzzzzzzz: 1}
                tls: {zzzzzzzzzz: 1}
                circuit_breaker: {zzzzzzzzzz: 1}
        routes:
          - name: r
            zzzzzzzzzz: 1
            match:
              zzzzzzzzzz: 1
              where:
                a: {zzzzzzzzzz: 1}
            to: [t/e]
        worker: {zzzzzzzzzz: 1}

        """

    @Test func everyRoutesKeyTheLoaderAcceptsIsInTheRoutesReference() async throws {
        let binary = try Self.sluiceBinary()
        let reference = try Self.read("docs/routes.md")
        let directory = try RepoTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("routes.yaml")
        try Self.unknownKeyProbe.write(to: file, atomically: true, encoding: .utf8)

        let result = try await Self.run(binary, ["routes", "check", "--allow-missing-secrets", file.path])
        #expect(result.status == 2, "routes check accepted a file full of unknown keys:\n\(result.text)")
        var keysByBlock: [String: [String]] = [:]
        for match in result.text.matches(of: #/unknown (?:key|operator) 'zzzzzzzzzz' in ([^\n]+?); expected one of: ([^\n]+)/#) {
            keysByBlock[String(match.output.1)] = match.output.2.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        // One list per probed block (17): fewer means the loader's message changed and the scan went blind.
        #expect(keysByBlock.count == 17, "expected a key list for each of the 17 probed blocks, got \(keysByBlock.keys.sorted()):\n\(result.text)")
        let topLevel = try #require(keysByBlock["the top level"], "routes check did not list the top-level keys:\n\(result.text)")

        for key in topLevel {
            #expect(reference.contains("\n## `\(key)`\n"), "docs/routes.md has no '## `\(key)`' section for the top-level key \(key)")
        }
        for (block, keys) in keysByBlock.sorted(by: { $0.key < $1.key }) {
            for key in keys where reference.firstMatch(of: Self.documentedKey(key)) == nil {
                Issue.record("docs/routes.md does not mention `\(key)`, which \(block) accepts")
            }
        }
    }

    /// `key` in backticks, alone or as part of a dotted path (`verify.hmac.secrets`).
    static func documentedKey(_ key: String) -> Regex<Substring> {
        let escaped = NSRegularExpression.escapedPattern(for: key)
        // Built from the key at run time; a key is a plain word, so the pattern is always valid.
        return try! Regex("`(?:[a-z0-9_]+\\.)*\(escaped)(?:\\.[a-z0-9_]+)*`", as: Substring.self)
    }

    // MARK: - Self-contained

    @Test func nothingPointsOutsideTheRepository() throws {
        // Assembled so that this file does not contain what it looks for.
        let forbidden = ["../" + "shared", "/work/" + "shared", "SPEC" + ".md", "SPEC" + " §"]
        let skipped: Set<String> = [".build", ".git", ".swiftpm", ".venv-tools", "node_modules"]
        let root = RepoTool.root.standardizedFileURL
        let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey, .fileSizeKey]))
        var scanned = 0
        var offenders: [String] = []
        for case let url as URL in files {
            let values = try url.resourceValues(forKeys: [.isDirectoryKey, .fileSizeKey])
            if values.isDirectory == true {
                if skipped.contains(url.lastPathComponent) { files.skipDescendants() }
                continue
            }
            // Text files only; anything larger than a few MB is a data file, not documentation.
            guard (values.fileSize ?? 0) < 4 << 20, let data = try? Data(contentsOf: url),
                  let text = String(data: data, encoding: .utf8) else { continue }
            scanned += 1
            let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            for needle in forbidden where text.contains(needle) {
                offenders.append("\(relative): \(needle)")
            }
        }
        #expect(scanned > 100, "only \(scanned) files scanned under \(root.path)")
        #expect(offenders.isEmpty, "these files point outside the repository; say it in the project's own words or point to docs/:\n\(offenders.joined(separator: "\n"))")
    }

    // MARK: - Helpers

    static func read(_ relativePath: String) throws -> String {
        let url = RepoTool.root.appendingPathComponent(relativePath)
        try #require(FileManager.default.fileExists(atPath: url.path), "\(relativePath) is missing")
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The text under the `## title` heading, up to the next `## ` heading.
    static func section(titled title: String, in markdown: String) -> String? {
        guard let start = markdown.range(of: "\n## \(title)\n") else { return nil }
        let rest = markdown[start.upperBound...]
        let end = rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    static func swiftFiles(under folder: String) throws -> [URL] {
        let base = RepoTool.root.appendingPathComponent(folder)
        let files = try #require(FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil))
        return files.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }

    /// Runs `sluice ARGS…` to its end; stdout and stderr together.
    ///
    /// With the project's own spawner (posix_spawn, nothing inherited beyond stdio) rather than
    /// Foundation's `Process`: a full run once crashed inside `Process.run()` (a bad write in its
    /// memcpy) while the suites running beside it held well over a thousand descriptors open.
    static func run(_ binary: URL, _ arguments: [String]) async throws -> (status: Int32, text: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-docs-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let child = try ChildProcess.spawn(executable: binary.path, arguments: arguments, logPath: log)
        await child.exit.wait()
        return (child.exit.status ?? -1, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// The `sluice` executable `swift build` made beside the tests.
    static func sluiceBinary() throws -> URL {
        let candidates = [".build/debug/sluice", ".build/x86_64-unknown-linux-gnu/debug/sluice", ".build/aarch64-unknown-linux-gnu/debug/sluice"]
        let found = candidates.map { RepoTool.root.appendingPathComponent($0) }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "no sluice binary under .build/: build it first (swift build --build-tests; scripts/test does)")
    }
}
